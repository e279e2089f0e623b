"""The lending floor's models, one module per subject; import them from here."""
from .devices import Device, DeviceImportSettings, normalize_asset_tag  # noqa: F401
from .incidents import Incident, Repair  # noqa: F401
from .loans import Agreement, AgreementTerms, Loan, SigningLink  # noqa: F401
from .year import ReturnReceipt, Stocktake, StocktakeScan, Transfer  # noqa: F401
