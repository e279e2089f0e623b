from django.core.management.base import BaseCommand, CommandError

from portal.syslibs import OPTIONAL_PACKAGES, missing_packages, weasyprint_problem


class Command(BaseCommand):
    help = "Check that the Debian libraries WeasyPrint needs for PDF agreements are installed."

    def handle(self, *args, **options):
        problem = weasyprint_problem()
        if problem:
            raise CommandError(problem)
        slow = missing_packages(OPTIONAL_PACKAGES)
        if slow:
            self.stderr.write(f"PDFs work, but faster with: sudo apt-get install {' '.join(slow)}")
        self.stdout.write(self.style.SUCCESS("System libraries for PDF generation: OK"))
