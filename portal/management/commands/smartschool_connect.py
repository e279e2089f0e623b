"""Connect a school to its Smartschool platform; the access code is read from standard input so it
never lands in the shell history, and it is stored encrypted (portal/smartschool.py)."""
import sys

from django.core.management.base import BaseCommand, CommandError

from portal import smartschool
from portal.models import School


class Command(BaseCommand):
    help = "Save a school's Smartschool platform and webservice access code (read from standard input)."

    def add_arguments(self, parser):
        parser.add_argument("school_number", help="the school's instellingsnummer")
        parser.add_argument("platform", help="e.g. school.smartschool.be; empty to disconnect")
        parser.add_argument("--check", action="store_true", help="call getAllGroupsAndClasses to test the code")

    def handle(self, school_number, platform, check=False, **options):
        school = School.objects.filter(instellingsnummer=school_number).first()
        if school is None:
            raise CommandError(f"No school with number {school_number}.")
        code = sys.stdin.readline().strip() if platform else ""
        if platform and not code:
            raise CommandError("Give the access code on standard input.")
        smartschool.school_connect(school=school, platform=platform, access_code=code)
        if check and smartschool.is_connected(school):
            groups = smartschool.SmartschoolClient.for_school(school).groups_and_classes()
            self.stdout.write(f"Connected: {len(groups)} groups and classes.")
        else:
            self.stdout.write("Saved." if platform else "Disconnected.")
