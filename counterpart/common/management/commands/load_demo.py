from django.core.management.base import BaseCommand

from counterpart.common.demo import DEMO_PASSWORD, PEOPLE, demo_exists, load_demo


class Command(BaseCommand):
    help = "Load the demonstration organisations, people and partnerships (fictional)."

    def handle(self, *args, **options):
        if demo_exists():
            self.stdout.write("The demonstration data is already loaded.")
        else:
            load_demo()
            self.stdout.write(self.style.SUCCESS("Demonstration data loaded."))
        self.stdout.write("")
        self.stdout.write("Sign in at http://127.0.0.1:8000/accounts/login/ with one of:")
        for email, name, _key, role in PEOPLE[:6]:
            side = "international" if "intl" in email else "local"
            self.stdout.write(f"  {email:42} {role:7} {side} side ({name})")
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
        self.stdout.write(
            "The API's documentation is at http://127.0.0.1:8000/api/docs/ "
            "(make a token under My profile, API tokens)."
        )
