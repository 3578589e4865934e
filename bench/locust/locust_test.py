# The course slides' locustfile (seeds: "locust_test.py"), as the slides
# wrote it but for the leading slash Locust's host joining needs and the
# stray print: two tasks of equal weight, 1-3 s between them. netbench's
# built-in scenario slides-locustfile is the same load, and
# `netbench locust` runs both against one server to compare them.
from locust import HttpUser, task, between


class SampleUser(HttpUser):
    wait_time = between(1, 3)

    @task
    def normal_sort(self):
        self.client.get("/test/normal_sort/")
        self.client.get("/test/priority_queue/")

    @task
    def bubble_sort(self):
        self.client.get("/test/bubble_sort/")
