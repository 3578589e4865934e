# The course slides' locustfile (locust_test.py) with its views made I/O
# waits, as a Django view waits on its database: the same two tasks of
# equal weight, one of two requests in a row, 1-3 s between tasks. Its
# latencies are the server's, tens of milliseconds, so the 1-2 ms that
# Locust's own Python client adds to each are small beside them.
# netbench's scenario locustfile-io (bench/scenarios) is the same load:
# `netbench locust -scenario locustfile-io -locustfile bench/locust/locust_io.py`.
from locust import HttpUser, task, between


class SampleUser(HttpUser):
    wait_time = between(1, 3)

    @task
    def io_pair(self):
        self.client.get("/sleep?ms=40")
        self.client.get("/sleep?ms=60")

    @task
    def io_one(self):
        self.client.get("/sleep?ms=100")
