"""The project's URLs: the slides' test app under /test/."""
from django.urls import include, path

urlpatterns = [
    path("test/", include("test.urls")),
]
