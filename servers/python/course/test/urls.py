"""test/urls.py as the slides wrote it."""
from django.urls import path

from . import views

urlpatterns = [
    path("normal_sort/", views.normal_sort),
    path("priority_queue/", views.priority_queue),
    path("bubble_sort/", views.bubble_sort),
]
