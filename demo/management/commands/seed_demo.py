from django.core.management.base import BaseCommand

from demo.seed import seed_demo


class Command(BaseCommand):
    help = "Load a believable, idempotent demo: LOP Gent with ten real schools, families, devices and loans."

    def handle(self, *args, **options):
        logins = seed_demo()
        self.stdout.write(self.style.SUCCESS("Demo data ready. Demo logins (password for all: %s):" % logins.password))
        for role, email in logins.accounts:
            self.stdout.write(f"  {email:<48} {role}")
