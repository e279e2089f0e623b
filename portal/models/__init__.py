"""The base floor's models, one module per subject; import them from here."""
from .audit import AuditEvent  # noqa: F401
from .jobs import Job, job_file_path  # noqa: F401  (job_file_path: named by migration 0009)
from .messages import FailingAddress, Message  # noqa: F401
from .people import Invitation, Role, StaffMember, User, UserManager  # noqa: F401
from .schools import EducationLevel, Lop, Network, Province, School, SchoolClosure, SchoolYearFacts  # noqa: F401
