"""The three roles' usual paths for locust (kept out of the test dependencies: it pulls gevent).

    pip install locust   # in a separate virtualenv
    locust -f bench/locustfile.py --host http://127.0.0.1:8001 -u 20 -r 5 -t 2m --headless

Accounts come from `manage.py seed_national` (password demo-clas-2026).
"""

import random
import re

from locust import HttpUser, between, task

PASSWORD = "demo-clas-2026"


class Base(HttpUser):
    abstract = True
    wait_time = between(1, 3)
    email = ""

    def on_start(self):
        page = self.client.get("/connexion/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        self.client.post(
            "/connexion/",
            {"username": self.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/connexion/"},
        )


class Advisor(Base):
    def on_start(self):
        self.email = f"advisor-{random.randint(100, 200)}@national.clas.fr"
        super().on_start()

    @task(3)
    def queue(self):
        page = self.client.get("/comite/instruction/", name="file d'instruction")
        links = re.findall(r'href="(/comite/instruction/\d+/)"', page.text)
        if links:
            self.client.get(random.choice(links), name="page d'instruction")

    @task
    def dashboard(self):
        self.client.get("/", name="tableau de bord")


class Committee(Base):
    def on_start(self):
        self.email = f"committee-{random.randint(100, 200)}@national.clas.fr"
        super().on_start()

    @task
    def sessions(self):
        page = self.client.get("/comite/comites/", name="comités")
        links = re.findall(r'href="(/comite/comites/\d+/)"', page.text)
        if links:
            self.client.get(random.choice(links), name="séance du comité")

    @task
    def figures(self):
        self.client.get("/comite/chiffres/", name="chiffres")
