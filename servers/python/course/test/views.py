"""test/views.py as the slides wrote it: the largest of n random values in
[1, max), found by Python's built-in sort, a bubble sort, or a
queue.PriorityQueue.

The slides edited the constants for their scenario 2 (n=10000,
max=50000); here a request may give them as ?n=&max= (the same query as
netmodels' /test/ routes), and without them they are scenario 1's, 1000 and
5000. Everything else is the slides' code.
"""
import random
from queue import PriorityQueue

from django.http import JsonResponse

N, MAX = 1000, 5000


def size(request):
    return int(request.GET.get("n", N)), int(request.GET.get("max", MAX))


def bubble_sort(request):
    n, m = size(request)
    li = []
    for i in range(n):
        li.append(random.choice(range(1, m)))
    for i in range(len(li) - 1, 0, -1):
        for j in range(i):
            if li[j] < li[j + 1]:
                li[j], li[j + 1] = li[j + 1], li[j]
    context = {
        "top": li[0],
    }
    return JsonResponse(context)


def normal_sort(request):
    n, m = size(request)
    li = []
    for i in range(n):
        li.append(random.choice(range(1, m)))
    li.sort(reverse=True)
    context = {
        "top": li[0],
    }
    return JsonResponse(context)


def priority_queue(request):
    n, m = size(request)
    pq = PriorityQueue()
    for i in range(n):
        pq.put(-random.choice(range(1, m)))
    context = {
        "top": -pq.get(),
    }
    return JsonResponse(context)
