"""What the public legacy sources show of each legacy table, view and procedure (with file:line).

Data only - no logic. Built by reading, line by line, the four public repositories the project was
given (all by hemalathapampana on GitHub, fetched as bare git repos under /work/.mirror/):

- ``AltaworxJasperGetDevicesCleanup`` (CLEANUP): the Lambda ``cleanup_assets`` replaces
  (AltaworxJasperGetDevicesCleanup.cs and its helpers: SettingsRepository.cs,
  KeySysLambdaContext.cs, AwsFunctionBase.cs, IntegrationTypeRepository.cs,
  ThingSpaceDiscrepancyService.cs, OptimizationUsageSyncErrorHandler.cs,
  DailySyncAmopApiTrigger.cs, GetDevicesCleanupSqsValues.cs).
- ``Carrier_Optimization`` (CARRIER): the Jasper device sync before us
  (AltaworxJasperAWSGetDevicesQueue.cs), the consumer of our message
  (QueueCarrierPlanOptimization.cs), the optimizer and its cleanup, and *.md docs. Its own
  AltaworxJasperGetDevicesCleanup.cs is an older copy of the Lambda (two email try/catch fewer).
- ``TealLambdas`` (TEAL): Teal device/usage sync, BillingPeriodHelper.cs, ServiceProviderCommon.cs
  (the GetServiceProvider the cleanup calls), TealRepository.cs.
- ``Customer_Optimization`` (CUSTOMER): the optimizer base class AWSFunctionBase.cs
  (vwJasperCommPlan_RatePlan, OptimizationInstance, ...), OptimizationMobilityDeviceRepository.cs,
  OptimizationResultDbWriter.cs and two portal (ASP.NET, Entity Framework) controllers.

Read a cited line with::

    git -C /work/.mirror/hemalathapampana+<repo>/repo show HEAD:<path> | sed -n '<line>p'

Every ``Source`` line number was checked against ``git show HEAD:<path>`` when this file was
generated: for a column the line contains the column name (as spelled, possibly qualified
``alias.[Col]``); for a procedure, setting, env var or fact the line contains the cited token.

Round 2 added entries from other public repos of the same author, showing the carrier syncs
that run before the cleanup. Their ``Source.repo`` is the name after ``hemalathapampana/``:
THINGSPACE (AltaworxThingSpaceAWSGetDevices: the .cs and two .md docs), TELEGENCE_DEVICES,
TELEGENCE_DETAILS, TELEGENCE_USAGE, TELEGENCE_CARRIER (full body of usp_Telegence_Update_Device),
POND_STATUS (its 'Stored Procedures.cs' holds the bodies of usp_Teal_Update_Device_From_Staging
and usp_Teal_Truncate_Device_And_Usage_Staging), POND_USAGE, POND_DEVICES, BULK_CHANGE and
MOBILITY_CTRL (portal controllers with direct SQL / EF).
- AltaworxThingSpaceAWSGetDevices and Pond-AltaworxPondGetDevices have no fetchable snapshot.
  They were read with the search tool's ``read_file`` (commits b3a9e158... and feb04a9c...),
  and their line numbers were checked against a local reconstruction. The reconstruction's CRLF
  length and offsets equal the index's. Read such a line with
  ``read_file(repo="hemalathapampana/<repo>", path=...)`` and count lines.
- Sources pointing at ``*.md`` files are DOC QUOTES: an author's analysis quoting code or SQL that
  is itself not public. Every such note says "doc".
- Bulk copies "by ordinal" bind positions, not names. The DataTable names are then the likely
  SQL names, not proven ones. "Mapped by name" (AutoMapColumns) binds the names.
- Teal-AltaworxTealAWSGetDevices is byte-identical to TealLambdas. Teal-AltaworxTealAWSGetDeviceUsage,
  Pond-AltaworxPondGetInventories and MobilityController hold only docs or no snapshot; nothing
  was taken from them.

Conventions
- ``database``: CENTRAL = the central AMOP database (``CentralDbConnectionString``, env
  ``ConnectionString``; the optimizer's ``context.ConnectionString`` is the same database - it reads
  ``Integration`` and ``JasperCommunicationPlan``, which the cleanup reads/writes centrally);
  JASPER = the separate Jasper database (``GeneralProviderSettings.JasperDbConnectionString``,
  itself a general ServiceProviderSetting row, or a ``{jasperCn.Database}.[dbo].X`` name);
  PORTAL = a third database (env constant ``PORTAL_CONNECTION_STRING``); UNKNOWN = not shown.
- Column keys are spelled as the SQL spells them; where another spelling occurs the
  ``Source.note`` says "(spelled X)" (``Device.id`` vs ``device.[Id]``, ``ctdDataUsage``).
  Columns are listed in order of first appearance; at most three sources per column.
- ``constant_named``: columns known only as a C# constant member (``CommonColumnNames.EID``,
  ``OptimizationDeviceColumnNames.X``, ...); their literal text is not in the repos.
  ``name_known=False``: the object itself is known only by a constant
  (``DatabaseTableNames.TealDeviceStaging``, ``SQLConstant.StoredProcedureName.POND_DEVICE_SYNC``).
- ``types`` are only what the C# shows (reader.GetInt32/GetBoolean/GetDateTime,
  Convert.ToInt64, int.Parse, DataTable ``typeof(...)``, model property types).
- An absent column means the four repos never name it, not that it does not exist.
  OUTSIDE_LEADS holds a few facts from other public repos of the same author (checked).
"""
from dataclasses import dataclass, field

CENTRAL, JASPER = "central", "jasper"
PORTAL, UNKNOWN = "portal", "unknown"

CLEANUP = "AltaworxJasperGetDevicesCleanup"
CARRIER = "Carrier_Optimization"
TEAL = "TealLambdas"
CUSTOMER = "Customer_Optimization"

# Round 2: other public repos of the same author (see the module docstring, 'Round 2').
THINGSPACE = "AltaworxThingSpaceAWSGetDevices"
TELEGENCE_DEVICES = "TelegenceAWSGetDevices"
TELEGENCE_DETAILS = "AltaworxTelegenceAWSGetDeviceDetails"
TELEGENCE_USAGE = "AltaworxTelegenceAWSGetDeviceUsage"
TELEGENCE_CARRIER = "Telegence_Carrier"
POND_STATUS = "pond-AltaworxPondProcessStagedDeviceStatus"
POND_USAGE = "pond-AltaworxPondGetDeviceUsage"
POND_DEVICES = "Pond-AltaworxPondGetDevices"
BULK_CHANGE = "BulkChange"
MOBILITY_CTRL = "Mobility-Controller-Updated"


@dataclass(frozen=True)
class Source:
    repo: str    # e.g. "AltaworxJasperGetDevicesCleanup" (the repo name after the '+')
    path: str    # file in that repo
    line: int
    note: str = ""  # a few words: how it is used ("SELECT", "JOIN ON", "bulk-copy column", ...)


@dataclass(frozen=True)
class TableEvidence:
    database: str                      # CENTRAL | JASPER | PORTAL | UNKNOWN
    columns: dict[str, tuple[Source, ...]]
    kind: str = "table"                # "table" | "view"
    types: dict[str, str] = field(default_factory=dict)  # column -> C#-visible type where shown
    note: str = ""
    sources: tuple[Source, ...] = ()   # table-level occurrences (DELETE, COUNT, bulk-copy target)
    name_known: bool = True            # False when only a constant (DatabaseTableNames.X) names it
    constant_named: frozenset[str] = frozenset()  # columns named only through C# constants


@dataclass(frozen=True)
class ProcedureEvidence:
    database: str
    parameters: dict[str, str]          # "@ServiceProviderId" -> what is passed
    sources: tuple[Source, ...]
    result_columns: tuple[str, ...] = ()
    timeout_seconds: str = ""           # literal or constant; "(not set)" = ADO.NET default 30 s
    in_transaction: bool = False
    name_known: bool = True             # False when only a constant name is visible
    note: str = ""


@dataclass(frozen=True)
class Fact:
    text: str
    sources: tuple[Source, ...]


TABLES: dict[str, TableEvidence] = {
    "BillingPeriod": TableEvidence(
        database=CENTRAL,
        note=("Per-provider billing periods. The cleanup only LEFT JOINs it in the sync-log "
              "queries ([Device].BillingPeriodId = BillingPeriod.Id) and finds the period "
              "via the procedure usp_Service_Provider_Get_Bill_Period_Day_And_Hour. The "
              "optimizer selects BillYear, BillMonth, BillingCycleEndDate, BillPeriodEndDay, "
              "BillPeriodEndHour unqualified from BillingPeriod bp JOIN ServiceProvider sp "
              "(AWSFunctionBase.cs:140-143), so BillPeriodEndDay/Hour belong to "
              "ServiceProvider and BillYear/BillMonth/BillingCycleEndDate to BillingPeriod "
              "(inference from SQL validity)."),
        columns={
            "BillingCycleStartDate": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 842,
                       ("SELECT / LEFT JOIN ON [Device].BillingPeriodId = BillingPeriod.Id "
                        "(Jasper sync log); dates read Convert.ToDateTime (1018-1019)")),
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 908,
                       "SELECT / LEFT JOIN (Telegence sync log)"),
            ),
            "BillingCycleEndDate": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 843,
                       ("SELECT / LEFT JOIN ON [Device].BillingPeriodId = BillingPeriod.Id "
                        "(Jasper sync log); dates read Convert.ToDateTime (1018-1019)")),
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 909,
                       "SELECT / LEFT JOIN (Telegence sync log)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 140,
                       "SELECT (unqualified) FROM BillingPeriod bp JOIN ServiceProvider sp"),
            ),
            "Id": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 848,
                       ("SELECT / LEFT JOIN ON [Device].BillingPeriodId = BillingPeriod.Id "
                        "(Jasper sync log); dates read Convert.ToDateTime (1018-1019)")),
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 912,
                       "SELECT / LEFT JOIN (Telegence sync log)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 143,
                       "JOIN ON / WHERE bp.id = @billPeriodId (spelled id)"),
            ),
            "BillYear": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 140, "SELECT, read int.Parse (151)"),
                Source(CUSTOMER, "OptimizationApiController.cs", 381,
                       ("EF entity property (portal carrier enqueue: "
                        "BillingPeriod.BillYear/BillMonth/id/BillingCycleEndDate)")),
            ),
            "BillMonth": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 140, "SELECT, read int.Parse (152)"),
                Source(CUSTOMER, "OptimizationApiController.cs", 381,
                       ("EF entity property (portal carrier enqueue: "
                        "BillingPeriod.BillYear/BillMonth/id/BillingCycleEndDate)")),
            ),
            "ServiceProviderId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 142,
                       "JOIN ON / WHERE bp.id = @billPeriodId"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 198,
                       ("WHERE bp.BillingCycleEndDate > .. AND bp.ServiceProviderId = .. AND "
                        "bp.IsDeleted = 0")),
                Source(CUSTOMER, "AltaworxSimCardCostQueueCustomerOptimization.cs", 257,
                       "SELECT ServiceProviderId FROM BillingPeriod bp"),
            ),
            "IsDeleted": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 199,
                       ("WHERE bp.BillingCycleEndDate > .. AND bp.ServiceProviderId = .. AND "
                        "bp.IsDeleted = 0")),
            ),
        },
        types={
            "Id": "int",
            "BillingCycleStartDate": "DateTime",
            "BillingCycleEndDate": "DateTime",
            "BillYear": "int",
            "BillMonth": "int",
            "ServiceProviderId": "int",
        },
    ),
    "CustomerBillingPeriod": TableEvidence(
        database=CENTRAL,
        note="Portal EF entity (DbSet name pluralised; table name assumed singular, unverified).",
        columns={
            "id": (
                Source(CUSTOMER, "OptimizationApiController.cs", 166, "EF (portal)"),
            ),
            "BillYear": (
                Source(CUSTOMER, "OptimizationApiController.cs", 174, "EF (portal)"),
            ),
            "BillMonth": (
                Source(CUSTOMER, "OptimizationApiController.cs", 174, "EF (portal)"),
            ),
        },
    ),
    "CustomerCharge_UploadedFile": TableEvidence(
        database=CENTRAL,
        note="Portal EF entity (DbSet name pluralised; table name assumed singular, unverified).",
        columns={
            "FileName": (
                Source(CUSTOMER, "OptimizationApiController.cs", 1612, "EF (portal)"),
            ),
        },
    ),
    "CustomerChargeQueueToProcess": TableEvidence(
        database=CENTRAL,
        note="Portal EF entity (DbSet name pluralised; table name assumed singular, unverified).",
        columns={
            "QueueId": (
                Source(CUSTOMER, "OptimizationApiController.cs", 1385, "EF (portal)"),
            ),
        },
    ),
    "CustomerRatePool": TableEvidence(
        database=CENTRAL,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report)."),
        columns={
            "Name": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 856,
                       "SELECT customerPool.[Name] / LEFT JOIN ON"),
            ),
            "Id": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 864,
                       "SELECT customerPool.[Name] / LEFT JOIN ON"),
            ),
        },
    ),
    "Device": TableEvidence(
        database=CENTRAL,
        note=("Central device table (M2M). Read by the cleanup for the Snowflake history CSV "
              "(39 columns, AltaworxJasperGetDevicesCleanup.cs:284-326), new communication "
              "plans (396-401) and the sync-log queries (830-1002). Written only by the "
              "carrier procedures (not visible). Column spelled 'ctdDataUsage' once in the "
              "Pond sync-log query (977) and 'Id' in optimizer SQL; 'id' elsewhere. "
              "BillingPeriodId is unqualified in the 3-table history join (321), so neither "
              "ServiceProvider nor Device_Tenant can have a BillingPeriodId column "
              "(inference from SQL validity)."),
        columns={
            "id": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 284,
                       "SELECT d.[..] for the Snowflake history CSV"),
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 832,
                       "Jasper sync-log SELECT/JOIN; Ctd* read Convert.ToInt64 (1013-1017)"),
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 850,
                       ("optimizer result SELECT (JOIN ON deviceResult.AmopDeviceId = "
                        "device.[Id]); ProviderDateActivated read GetDateTime (1113) "
                        "(spelled Id)")),
            ),
            "ServiceProviderId": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 285,
                       "SELECT d.[..] for the Snowflake history CSV"),
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 399,
                       "SELECT DISTINCT / WHERE (UpdateCommPlans)"),
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 835,
                       "Jasper sync-log SELECT/JOIN; Ctd* read Convert.ToInt64 (1013-1017)"),
            ),
            "ICCID": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 286,
                       "SELECT d.[..] for the Snowflake history CSV"),
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 833,
                       "Jasper sync-log SELECT/JOIN; Ctd* read Convert.ToInt64 (1013-1017)"),
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 922,
                       "ThingSpace sync-log SELECT/JOIN"),
            ),
            "IMSI": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 287,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "MSISDN": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 288,
                       "SELECT d.[..] for the Snowflake history CSV"),
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 834,
                       "Jasper sync-log SELECT/JOIN; Ctd* read Convert.ToInt64 (1013-1017)"),
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 851,
                       ("optimizer result SELECT (JOIN ON deviceResult.AmopDeviceId = "
                        "device.[Id]); ProviderDateActivated read GetDateTime (1113)")),
            ),
            "IMEI": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 289,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "DeviceStatusId": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 290,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "Status": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 291,
                       "SELECT d.[..] for the Snowflake history CSV"),
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 963,
                       "Teal sync-log JOIN ON [Device].[EID] / WHERE"),
            ),
            "CarrierRatePlanId": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 292,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "RatePlan": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 293,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "CommunicationPlan": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 294,
                       "SELECT d.[..] for the Snowflake history CSV"),
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 396,
                       "SELECT DISTINCT / WHERE (UpdateCommPlans)"),
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 852,
                       ("optimizer result SELECT (JOIN ON deviceResult.AmopDeviceId = "
                        "device.[Id]); ProviderDateActivated read GetDateTime (1113)")),
            ),
            "LastUsageDate": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 295,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "APN": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 296,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "Package": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 297,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "CtdDataUsage": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 298,
                       "SELECT d.[..] for the Snowflake history CSV"),
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 837,
                       "Jasper sync-log SELECT/JOIN; Ctd* read Convert.ToInt64 (1013-1017)"),
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 926,
                       "ThingSpace sync-log SELECT/JOIN"),
            ),
            "CtdSMSUsage": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 299,
                       "SELECT d.[..] for the Snowflake history CSV"),
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 839,
                       "Jasper sync-log SELECT/JOIN; Ctd* read Convert.ToInt64 (1013-1017)"),
            ),
            "CtdVoiceUsage": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 300,
                       "SELECT d.[..] for the Snowflake history CSV"),
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 841,
                       "Jasper sync-log SELECT/JOIN; Ctd* read Convert.ToInt64 (1013-1017)"),
            ),
            "CtdSessionCount": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 301,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "OverageLimitReached": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 302,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "OverageLimitOverride": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 303,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "CreatedBy": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 304,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "CreatedDate": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 305,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "ModifiedBy": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 306,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "ModifiedDate": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 307,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "LastActivatedDate": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 308,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "DeletedBy": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 309,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "DeletedDate": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 310,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "IsActive": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 311,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "IsDeleted": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 312,
                       "SELECT d.[..] for the Snowflake history CSV"),
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 986,
                       "Pond sync-log SELECT/JOIN"),
            ),
            "ProviderDateAdded": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 314,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "ProviderDateActivated": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 315,
                       "SELECT d.[..] for the Snowflake history CSV"),
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 857,
                       ("optimizer result SELECT (JOIN ON deviceResult.AmopDeviceId = "
                        "device.[Id]); ProviderDateActivated read GetDateTime (1113)")),
            ),
            "OldDeviceStatusId": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 316,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "OldCtdDataUsage": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 317,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "CostCenter": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 318,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "Username": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 319,
                       "SELECT d.[..] for the Snowflake history CSV"),
            ),
            "BillingPeriodId": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 321,
                       "SELECT, unqualified [BillingPeriodId] in history CSV"),
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 848,
                       "Jasper sync-log SELECT/JOIN; Ctd* read Convert.ToInt64 (1013-1017)"),
            ),
            "EID": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 959,
                       "Teal sync-log JOIN ON [Device].[EID] / WHERE"),
            ),
            'DeviceDescription': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 6469,
                       ('UPDATE Device SET DeviceDescription = @deviceDescription, Username = ... '
                        'WHERE IsDeleted = 0 AND ServiceProviderId AND ICCID')),
            ),
            'IpAddress': (
                Source(BULK_CHANGE, 'BulkChangeRepository.cs', 67,
                       'UPDATE Device SET DeviceStatusId, MSISDN, IpAddress, ModifiedBy, ModifiedDate'),
            ),
        },
        types={
            "id": "int",
            "CtdDataUsage": "long",
            "CtdSMSUsage": "long",
            "CtdVoiceUsage": "long",
            "ServiceProviderId": "int",
            "ProviderDateActivated": "DateTime",
        },
    ),
    "Device_Tenant": TableEvidence(
        database=CENTRAL,
        note=("Device <-> tenant link. Only the Snowflake history query shows it: INNER JOIN "
              "on dt.DeviceId = d.id AND dt.TenantId = sp.TenantId (the provider's own "
              "tenant)."),
        columns={
            "AccountNumber": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 313,
                       "SELECT dt.[..] / JOIN ON (history CSV)"),
            ),
            "AccountNumberIntegrationAuthenticationId": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 320,
                       "SELECT dt.[..] / JOIN ON (history CSV)"),
            ),
            "SiteId": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 322,
                       "SELECT dt.[..] / JOIN ON (history CSV)"),
            ),
            "DeviceId": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 325,
                       "JOIN ON dt.DeviceId = d.id"),
            ),
            "TenantId": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 325,
                       "JOIN ON dt.TenantId = sp.TenantId"),
            ),
        },
    ),
    "DeviceHistory": TableEvidence(
        database=CENTRAL,
        note="Portal EF entity (DbSet name pluralised; table name assumed singular, unverified).",
        columns={
            "DeviceHistoryId": (
                Source(CUSTOMER, "OptimizationApiController.cs", 1223, "EF (portal)"),
            ),
            "IsPushed": (
                Source(CUSTOMER, "OptimizationApiController.cs", 1226, "EF (portal)"),
            ),
        },
    ),
    'DeviceStatus': TableEvidence(
        database=CENTRAL,
        note=('Carrier status lookup, one row per (IntegrationId, Status). Staging status '
              'texts are matched case-insensitively: LOWER(staging.status) = '
              'LOWER(DeviceStatus.Status). Seen ids: Telegence (IntegrationId 6) looks up '
              "'a' and 'Unknown' by text. The Teal proc hard-codes Activated = 59 and "
              'Unknown = 67 for IntegrationId 12. The Teal audit pivots on '
              "'ACTIVATED'/'DEACTIVATED'; the Telegence audit pivots on 'A'/'S'."),
        columns={
            'id': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 17,
                       "select id from [dbo].[DeviceStatus] where [Status] = 'a' AND IntegrationId = 6"),
                Source(POND_STATUS, 'Stored Procedures.cs', 64,
                       '[DeviceStatus].[Id] as [DeviceStatusId] (spelled Id)'),
                Source(POND_STATUS, 'Stored Procedures.cs', 222,
                       'ON [TealDevice].[DeviceStatusId] = [DeviceStatus].[id]'),
            ),
            'Status': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 50,
                       'LOWER(tdes.[SubscriberNumberStatus]) = LOWER(st.[Status]) AND IntegrationId = 6'),
                Source(POND_STATUS, 'Stored Procedures.cs', 76,
                       'LOWER([TealDeviceStaging].[DeviceStatus]) = LOWER([DeviceStatus].[Status])'),
                Source(MOBILITY_CTRL, 'MobilityController.cs', 2909,
                       'EF: .Select(x => x.Status.ToLower())'),
            ),
            'IntegrationId': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 17,
                       'where ... IntegrationId = 6 (Telegence)'),
                Source(POND_STATUS, 'Stored Procedures.cs', 78,
                       '[DeviceStatus].[IntegrationId] = @TealIntegrationId (12)'),
                Source(MOBILITY_CTRL, 'MobilityController.cs', 2907,
                       'EF: x.IntegrationId == (int)integrationType'),
            ),
            'IsDeleted': (
                Source(MOBILITY_CTRL, 'MobilityController.cs', 2907,
                       'EF (portal): !x.IsDeleted && x.IsActive && x.AllowsApiUpdate'),
            ),
            'IsActive': (
                Source(MOBILITY_CTRL, 'MobilityController.cs', 2907,
                       'EF (portal)'),
            ),
            'AllowsApiUpdate': (
                Source(MOBILITY_CTRL, 'MobilityController.cs', 2907,
                       'EF (portal)'),
            ),
            'IsActiveStatus': (
                Source(BULK_CHANGE, 'M2MController.cs', 654,
                       'EF (portal): DeviceStatus.Where(x => x.IsActiveStatus)'),
            ),
        },
    ),
    "eBondingDeviceDetailIdsToProcess": TableEvidence(
        database=CENTRAL,
        note=("eBonding detail 'rows to process'; counted WHERE RetryCount < 2 (summed with "
              "the usage table), deleted whole-table."),
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 604,
                   "DELETE FROM (whole table)"),
        ),
        columns={
            "RetryCount": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 652,
                       "COUNT(1) WHERE RetryCount < 2"),
            ),
        },
    ),
    "eBondingDeviceUsageIdsToProcess": TableEvidence(
        database=CENTRAL,
        note="eBonding usage 'rows to process'; as the detail table.",
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 605,
                   "DELETE FROM (whole table)"),
        ),
        columns={
            "RetryCount": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 656,
                       "COUNT(1) WHERE RetryCount < 2"),
            ),
        },
    ),
    "Integration": TableEvidence(
        database=CENTRAL,
        note=("Integration (carrier API family) lookup. The cleanup reads 'Select id, Name "
              "FROM Integration' and uses Name only in the summary subject. The portal "
              "navigates ServiceProvider.Integration.PortalTypeId (M2M vs Mobility portal "
              "type) - EF property, the only sign that Integration has PortalTypeId."),
        columns={
            "id": (
                Source(CLEANUP, "IntegrationTypeRepository.cs", 23,
                       "SELECT id, Name FROM Integration"),
                Source(CLEANUP, "IntegrationTypeRepository.cs", 44, "reader Convert.ToInt32"),
            ),
            "Name": (
                Source(CLEANUP, "IntegrationTypeRepository.cs", 23,
                       "SELECT id, Name FROM Integration"),
                Source(CLEANUP, "IntegrationTypeRepository.cs", 45, "reader .ToString()"),
            ),
            "PortalTypeId": (
                Source(CUSTOMER, "OptimizationApiController.cs", 333,
                       "EF navigation serviceProvider.Integration.PortalTypeId (portal)"),
            ),
        },
        types={
            "id": "int",
            "Name": "string",
            "PortalTypeId": "int",
        },
    ),
    "Integration_Authentication": TableEvidence(
        database=CENTRAL,
        note="Portal EF entity (DbSet name pluralised; table name assumed singular, unverified).",
        columns={
            "TenantId": (
                Source(CUSTOMER, "OptimizationApiController.cs", 1646, "EF filter (portal)"),
            ),
            "IntegrationId": (
                Source(CUSTOMER, "OptimizationApiController.cs", 1646, "EF filter (portal)"),
            ),
        },
    ),
    "JasperCarrierRatePlan": TableEvidence(
        database=CENTRAL,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report). Carrier rate plans (the ids listed in "
              "vwJasperCommPlan_RatePlan.RatePlanIds)."),
        columns={
            "Id": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 817, "SELECT/WHERE (GetRatePlans)"),
            ),
            "RatePlanCode": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 817, "SELECT/WHERE (GetRatePlans)"),
            ),
            "DisplayRate": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 817, "SELECT/WHERE (GetRatePlans)"),
            ),
            "PlanMB": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 817, "SELECT/WHERE (GetRatePlans)"),
            ),
            "OverageRateCost": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 817, "SELECT/WHERE (GetRatePlans)"),
            ),
            "BaseRatePerMB": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 817, "SELECT/WHERE (GetRatePlans)"),
            ),
            "3GSurcharge": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 817, "SELECT/WHERE (GetRatePlans)"),
            ),
            "CreatedBy": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 817, "SELECT/WHERE (GetRatePlans)"),
            ),
            "CreatedDate": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 817, "SELECT/WHERE (GetRatePlans)"),
            ),
            "DataPerOverageCharge": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 817, "SELECT/WHERE (GetRatePlans)"),
            ),
            "AllowsSimPooling": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 817, "SELECT/WHERE (GetRatePlans)"),
            ),
            "IsDeleted": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 817, "SELECT/WHERE (GetRatePlans)"),
            ),
            "ServiceProviderId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 817, "SELECT/WHERE (GetRatePlans)"),
            ),
            "IsRetired": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 908,
                       "WHERE IsRetired = 0 (GetNonRetiredRatePlans)"),
            ),
        },
    ),
    "JasperCommunicationPlan": TableEvidence(
        database=CENTRAL,
        note=("Communication plans. The cleanup LEFT JOINs it on CommunicationPlanName only "
              "(no ServiceProviderId in the join, so a name known for any provider counts as "
              "known) and INSERTs one row per new plan with CreatedBy 'JasperDeviceSync', "
              "CreatedDate GETUTCDATE(), IsActive 1, IsDeleted 0. Optimizer result SQL shows "
              "an AliasName column (ISNULL(commPlan.[AliasName], "
              "device.[CommunicationPlan]))."),
        columns={
            "CommunicationPlanName": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 398,
                       ("LEFT JOIN ON jcp.CommunicationPlanName = d.CommunicationPlan / "
                        "WHERE ... IS NULL")),
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 422,
                       "INSERT column list (UpdateCommPlans)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 589,
                       "SELECT/JOIN ON ocgcp.CommPlanId = jcp.Id / WHERE jcp.IsDeleted = 0"),
            ),
            "CreatedBy": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 422,
                       "INSERT column list (UpdateCommPlans)"),
            ),
            "CreatedDate": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 422,
                       "INSERT column list (UpdateCommPlans)"),
            ),
            "IsActive": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 422,
                       "INSERT column list (UpdateCommPlans)"),
            ),
            "IsDeleted": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 422,
                       "INSERT column list (UpdateCommPlans)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 589,
                       "SELECT/JOIN ON ocgcp.CommPlanId = jcp.Id / WHERE jcp.IsDeleted = 0"),
            ),
            "ServiceProviderId": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 422,
                       "INSERT column list (UpdateCommPlans)"),
            ),
            "Id": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 589,
                       "SELECT/JOIN ON ocgcp.CommPlanId = jcp.Id / WHERE jcp.IsDeleted = 0"),
            ),
            "AliasName": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 852,
                       ("SELECT ISNULL(commPlan.[AliasName], ..) / LEFT JOIN ON "
                        "commPlan.[CommunicationPlanName] = device.[CommunicationPlan]")),
            ),
        },
        types={
            "Id": "int",
            "CommunicationPlanName": "string",
        },
    ),
    "JasperCustomerRatePlan": TableEvidence(
        database=CENTRAL,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report)."),
        columns={
            "Id": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 854,
                       "SELECT/WHERE (GetCrossCustomerRatePlans)"),
            ),
            "RatePlanCode": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 855,
                       "SELECT/WHERE (GetCrossCustomerRatePlans)"),
            ),
            "DisplayRate": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 856,
                       "SELECT/WHERE (GetCrossCustomerRatePlans)"),
            ),
            "PlanMB": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 857,
                       "SELECT/WHERE (GetCrossCustomerRatePlans)"),
            ),
            "OverageRateCost": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 858,
                       "SELECT/WHERE (GetCrossCustomerRatePlans)"),
            ),
            "BaseRatePerMB": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 859,
                       "SELECT/WHERE (GetCrossCustomerRatePlans)"),
            ),
            "3GSurcharge": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 860,
                       "SELECT/WHERE (GetCrossCustomerRatePlans)"),
            ),
            "MinPlanDataMB": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 861,
                       "SELECT/WHERE (GetCrossCustomerRatePlans)"),
            ),
            "MaxPlanDataMB": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 862,
                       "SELECT/WHERE (GetCrossCustomerRatePlans)"),
            ),
            "RatePlanName": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 863,
                       "SELECT/WHERE (GetCrossCustomerRatePlans)"),
            ),
            "CreatedBy": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 864,
                       "SELECT/WHERE (GetCrossCustomerRatePlans)"),
            ),
            "CreatedDate": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 865,
                       "SELECT/WHERE (GetCrossCustomerRatePlans)"),
            ),
            "DataPerOverageCharge": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 866,
                       "SELECT/WHERE (GetCrossCustomerRatePlans)"),
            ),
            "AllowsSimPooling": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 867,
                       "SELECT/WHERE (GetCrossCustomerRatePlans)"),
            ),
            "IsBillInAdvanceEligible": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 868,
                       "SELECT/WHERE (GetCrossCustomerRatePlans)"),
            ),
            "SmsRate": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 869,
                       "SELECT/WHERE (GetCrossCustomerRatePlans)"),
            ),
            "BaseRate": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 870,
                       "SELECT/WHERE (GetCrossCustomerRatePlans)"),
            ),
            "RateChargeAmt": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 871,
                       "SELECT/WHERE (GetCrossCustomerRatePlans)"),
            ),
            "AutoChangeRatePlan": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 872,
                       "SELECT/WHERE (GetCrossCustomerRatePlans)"),
            ),
            "IsDeleted": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 785,
                       "WHERE ISNULL(jcust_rp.IsDeleted, ..) = 0"),
            ),
        },
    ),
    "JasperDevice": TableEvidence(
        database=JASPER,
        note=("Jasper device table in the Jasper database. The four repos show only the two "
              "join columns; it is written by usp_Update_Jasper_Device (Jasper DB) and read "
              "by usp_Jasper_DeviceSync (central, given @JasperDbName)."),
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 846,
                   "cross-database name {jasperCn.Database}.[dbo].[JasperDevice] (Jasper DB)"),
            Source(CLEANUP, "AwsFunctionBase.cs", 171,
                   "SELECT COUNT(1) FROM JasperDevice on jasperDbConnectionString"),
        ),
        columns={
            "ICCID": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 846,
                       "LEFT JOIN ON [Device].[X] = [JasperDevice].[X] (Jasper sync log)"),
            ),
            "ServiceProviderId": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 846,
                       "LEFT JOIN ON [Device].[X] = [JasperDevice].[X] (Jasper sync log)"),
            ),
        },
    ),
    "JasperDeviceStaging": TableEvidence(
        database=JASPER,
        note=("Filled page by page by AltaworxJasperAWSGetDevicesQueue with SqlBulkCopy on "
              "the Jasper connection, WITHOUT column mappings (Altaworx.AWS.Core "
              "AwsFunctionBase.SqlBulkCopy - copies in CLEANUP and TEAL - only adds mappings "
              "when given), so columns map by ordinal: the table's first 8 columns must be "
              "in this order. The DataTable columns are untyped (string); ID is left null "
              "(identity), CreatedBy = 'AWS Lambda - Get Devices Service', CreatedDate = "
              "DateTime.UtcNow, ServiceProviderId = int "
              "(AltaworxJasperAWSGetDevicesQueue.cs:291-301). Page 1 clears the provider's "
              "staging via JasperDeviceStagingRepository.DeleteStagingWithPolicy(.., "
              "serviceProviderId, ..) (SQL not in the four repos)."),
        sources=(
            Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 182,
                   "SqlBulkCopy(.., JasperDbConnectionString, table, \"JasperDeviceStaging\")"),
            Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 331,
                   ("ClearJasperDeviceStagingWithPolicy -> JasperDeviceStagingRepository "
                    "(per provider)")),
        ),
        columns={
            "ID": (
                Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 162,
                       "bulk-copy DataTable column (by ordinal)"),
            ),
            "ICCID": (
                Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 163,
                       "bulk-copy DataTable column (by ordinal)"),
            ),
            "Status": (
                Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 164,
                       "bulk-copy DataTable column (by ordinal)"),
            ),
            "RatePlan": (
                Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 165,
                       "bulk-copy DataTable column (by ordinal)"),
            ),
            "CommunicationPlan": (
                Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 166,
                       "bulk-copy DataTable column (by ordinal)"),
            ),
            "CreatedBy": (
                Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 167,
                       "bulk-copy DataTable column (by ordinal)"),
            ),
            "CreatedDate": (
                Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 168,
                       "bulk-copy DataTable column (by ordinal)"),
            ),
            "ServiceProviderId": (
                Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 169,
                       "bulk-copy DataTable column (by ordinal)"),
            ),
        },
    ),
    "JasperDeviceStatus_UploadedFile": TableEvidence(
        database=UNKNOWN,
        note="Named only in a code comment of the portal.",
        sources=(
            Source(CUSTOMER, "OptimizationApiController.cs", 1609, "comment"),
        ),
        columns={
        },
    ),
    "JasperDeviceUsage": TableEvidence(
        database=JASPER,
        note=("Jasper cycle-to-date usage in the Jasper database; source of the Raw* values "
              "in the Jasper sync log."),
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 847,
                   ("cross-database name {jasperCn.Database}.[dbo].[JasperDeviceUsage] "
                    "(Jasper DB)")),
        ),
        columns={
            "CtdDataUsage": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 836,
                       "SELECT AS Raw*Usage (read Convert.ToInt64, 1012-1016) / LEFT JOIN ON"),
            ),
            "CtdSMSUsage": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 838,
                       "SELECT AS Raw*Usage (read Convert.ToInt64, 1012-1016) / LEFT JOIN ON"),
            ),
            "CtdVoiceUsage": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 840,
                       "SELECT AS Raw*Usage (read Convert.ToInt64, 1012-1016) / LEFT JOIN ON"),
            ),
            "ICCID": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 847,
                       "LEFT JOIN ON [Device].[ICCID] = [JasperDeviceUsage].[ICCID]"),
            ),
            "ServiceProviderId": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 847,
                       ("LEFT JOIN ON [Device].[ServiceProviderId] = "
                        "[JasperDeviceUsage].[ServiceProviderId]")),
            ),
        },
        types={
            "CtdDataUsage": "long",
            "CtdSMSUsage": "long",
            "CtdVoiceUsage": "long",
        },
    ),
    "JasperDeviceUsageICCICDsToProcess": TableEvidence(
        database=JASPER,
        note=("Jasper family 'rows to process' (name spelled ICCICDs). The cleanup counts "
              "and deletes the WHOLE table on JasperDbConnectionString; no column is shown "
              "in the four repos. Outside them, "
              "AltaworxJasperAWSEnqueueRatePlanChanges/JasperUsageStagingRepository.cs:24 "
              "deletes it WHERE ServiceProviderId = @serviceProviderId (see OUTSIDE_LEADS), "
              "so it has a ServiceProviderId column."),
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 589,
                   ("connection: GeneralProviderSettings.JasperDbConnectionString "
                    "(ClearRowsToProcess)")),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 590,
                   "DELETE FROM (whole table)"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 634,
                   "SELECT COUNT(1) AS [RowCount] (whole table), read GetInt32"),
        ),
        columns={
        },
    ),
    "MobilityDevice": TableEvidence(
        database=CENTRAL,
        note="Central mobility device table (Telegence/eBonding).",
        columns={
            "id": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 897,
                       "Telegence sync-log SELECT/JOIN/WHERE"),
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 910,
                       ("optimizer mobility result SELECT (JOIN ON odr.AmopDeviceId = jd.Id) "
                        "(spelled Id)")),
            ),
            "ICCID": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 898,
                       "Telegence sync-log SELECT/JOIN/WHERE"),
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 910,
                       "optimizer mobility result SELECT (JOIN ON odr.AmopDeviceId = jd.Id)"),
            ),
            "MSISDN": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 899,
                       "Telegence sync-log SELECT/JOIN/WHERE"),
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 910,
                       "optimizer mobility result SELECT (JOIN ON odr.AmopDeviceId = jd.Id)"),
                Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1936,
                       ('LEFT JOIN MobilityDevice md on md.MSISDN = td.SubscriberNumber AND '
                        'md.ServiceProviderId = td.ServiceProviderId')),
            ),
            "ServiceProviderId": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 900,
                       "Telegence sync-log SELECT/JOIN/WHERE"),
            ),
            "CtdDataUsage": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 902,
                       "Telegence sync-log SELECT/JOIN/WHERE"),
            ),
            "CtdSMSUsage": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 904,
                       "Telegence sync-log SELECT/JOIN/WHERE"),
            ),
            "CtdVoiceUsage": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 906,
                       "Telegence sync-log SELECT/JOIN/WHERE"),
            ),
            "BillingPeriodId": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 912,
                       "Telegence sync-log SELECT/JOIN/WHERE"),
            ),
            "ProviderDateActivated": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 915,
                       "optimizer mobility result SELECT (JOIN ON odr.AmopDeviceId = jd.Id)"),
            ),
            'IsActive': (
                Source(MOBILITY_CTRL, 'MobilityController.cs', 2125,
                       'EF (portal): device.IsActive && !device.IsDeleted'),
            ),
            'IsDeleted': (
                Source(MOBILITY_CTRL, 'MobilityController.cs', 2126,
                       'EF (portal)'),
                Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1939,
                       'AND (md.IsDeleted = 0 OR md.IsDeleted IS NULL)'),
            ),
        },
        types={
            "id": "int",
            "CtdDataUsage": "long",
            "CtdSMSUsage": "long",
            "CtdVoiceUsage": "long",
            "ProviderDateActivated": "DateTime",
        },
    ),
    'MobilityDevice_Tenant': TableEvidence(
        database=CENTRAL,
        note='Portal EF entity (mobility twin of Device_Tenant).',
        columns={
            'MobilityDeviceId': (
                Source(MOBILITY_CTRL, 'MobilityController.cs', 2899,
                       'EF: x.MobilityDeviceId == device.id && x.TenantId == ...'),
            ),
            'TenantId': (
                Source(MOBILITY_CTRL, 'MobilityController.cs', 2899,
                       'EF'),
            ),
            'SiteId': (
                Source(MOBILITY_CTRL, 'MobilityController.cs', 2904,
                       'EF: deviceTenant?.SiteId'),
            ),
        },
    ),
    "MobilityDeviceHistory": TableEvidence(
        database=CENTRAL,
        note="Portal EF entity (DbSet name pluralised; table name assumed singular, unverified).",
        columns={
            "DeviceHistoryId": (
                Source(CUSTOMER, "OptimizationApiController.cs", 1232, "EF (portal)"),
            ),
            "IsPushed": (
                Source(CUSTOMER, "OptimizationApiController.cs", 1235, "EF (portal)"),
            ),
        },
    ),
    "OPTIMIZATION_COMM_GROUP_OPTIMIZATION_GROUP": TableEvidence(
        database=CENTRAL,
        name_known=False,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report). Real table name unknown: only the constant "
              "DatabaseTableNames.OPTIMIZATION_COMM_GROUP_OPTIMIZATION_GROUP."),
        sources=(
            Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 308,
                   ("SqlBulkCopy(.., "
                    "DatabaseTableNames.OPTIMIZATION_COMM_GROUP_OPTIMIZATION_GROUP, ..)")),
        ),
        columns={
            "InstanceId": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 287,
                       ("bulk-copy DataTable column [name via constant "
                        "CommonColumnNames.InstanceId]")),
            ),
            "CommGroupId": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 288,
                       ("bulk-copy DataTable column [name via constant "
                        "CommonColumnNames.CommGroupId]")),
            ),
            "OptimizationGroupId": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 289,
                       ("bulk-copy DataTable column [name via constant "
                        "CommonColumnNames.OptimizationGroupId]")),
            ),
            "OptimizationGroupName": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 290,
                       ("bulk-copy DataTable column [name via constant "
                        "CommonColumnNames.OptimizationGroupName]")),
            ),
            "CreatedBy": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 291,
                       ("bulk-copy DataTable column [name via constant "
                        "CommonColumnNames.CreatedBy]")),
            ),
            "CreatedDate": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 292,
                       ("bulk-copy DataTable column [name via constant "
                        "CommonColumnNames.CreatedDate]")),
            ),
        },
        types={
            "InstanceId": "long",
            "CommGroupId": "long",
            "OptimizationGroupId": "int",
            "OptimizationGroupName": "string",
            "CreatedDate": "DateTime",
        },
        constant_named=frozenset({
            "CommGroupId", "CreatedBy", "CreatedDate", "InstanceId", "OptimizationGroupId",
            "OptimizationGroupName",
        }),
    ),
    "OptimizationCommGroup": TableEvidence(
        database=CENTRAL,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report)."),
        columns={
            "Id": (
                Source(CLEANUP, "AwsFunctionBase.cs", 257,
                       "SELECT (cleanup base class GetCommGroups)"),
            ),
            "InstanceId": (
                Source(CLEANUP, "AwsFunctionBase.cs", 257,
                       "SELECT (cleanup base class GetCommGroups)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 559,
                       "INSERT ... SELECT @id = SCOPE_IDENTITY() (CreateCommPlanGroup)"),
            ),
            "CreatedBy": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 559,
                       "INSERT ... SELECT @id = SCOPE_IDENTITY() (CreateCommPlanGroup)"),
            ),
            "CreatedDate": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 559,
                       "INSERT ... SELECT @id = SCOPE_IDENTITY() (CreateCommPlanGroup)"),
            ),
            "IsDeleted": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 559,
                       "INSERT ... SELECT @id = SCOPE_IDENTITY() (CreateCommPlanGroup)"),
            ),
        },
        types={
            "Id": "long",
            "InstanceId": "long",
        },
    ),
    "OptimizationCommGroup_CommPlan": TableEvidence(
        database=CENTRAL,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report). Bulk-copied with explicit name mappings."),
        columns={
            "InstanceId": (
                Source(CARRIER, "QueueCarrierPlanOptimization.cs", 793,
                       "SqlBulkCopyColumnMapping (AddCommPlansToCommPlanGroup)"),
            ),
            "CommGroupId": (
                Source(CARRIER, "QueueCarrierPlanOptimization.cs", 794,
                       "SqlBulkCopyColumnMapping (AddCommPlansToCommPlanGroup)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 589,
                       "JOIN ON ocgcp.CommPlanId = jcp.Id / WHERE ocgcp.CommGroupId"),
            ),
            "CommPlanId": (
                Source(CARRIER, "QueueCarrierPlanOptimization.cs", 795,
                       "SqlBulkCopyColumnMapping (AddCommPlansToCommPlanGroup)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 589,
                       "JOIN ON ocgcp.CommPlanId = jcp.Id / WHERE ocgcp.CommGroupId"),
            ),
            "CreatedBy": (
                Source(CARRIER, "QueueCarrierPlanOptimization.cs", 796,
                       "SqlBulkCopyColumnMapping (AddCommPlansToCommPlanGroup)"),
            ),
            "CreatedDate": (
                Source(CARRIER, "QueueCarrierPlanOptimization.cs", 797,
                       "SqlBulkCopyColumnMapping (AddCommPlansToCommPlanGroup)"),
            ),
        },
        types={
            "InstanceId": "long",
            "CommGroupId": "long",
            "CommPlanId": "int",
            "CreatedDate": "DateTime",
        },
    ),
    "OptimizationCommGroup_RatePlan": TableEvidence(
        database=CENTRAL,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report)."),
        columns={
            "InstanceId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 682, "SqlBulkCopyColumnMapping"),
            ),
            "CommGroupId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 683, "SqlBulkCopyColumnMapping"),
            ),
            "CarrierRatePlanId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 684, "SqlBulkCopyColumnMapping"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 785, "JOIN ON (GetQueueRatePlans)"),
            ),
            "CustomerRatePlanId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 685, "SqlBulkCopyColumnMapping"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 785, "JOIN ON (GetQueueRatePlans)"),
            ),
            "MaxAvgUsage": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 686, "SqlBulkCopyColumnMapping"),
            ),
            "CreatedBy": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 687, "SqlBulkCopyColumnMapping"),
            ),
            "CreatedDate": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 688, "SqlBulkCopyColumnMapping"),
            ),
            "Id": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 698,
                       "SELECT Id, ... WHERE CommGroupId = @CommGroupId"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 785, "JOIN ON (GetQueueRatePlans)"),
            ),
        },
        types={
            "Id": "long",
            "InstanceId": "long",
            "CommGroupId": "long",
            "CarrierRatePlanId": "int",
            "CustomerRatePlanId": "int",
            "MaxAvgUsage": "decimal",
            "CreatedDate": "DateTime",
        },
    ),
    "OptimizationCustomerProcessing": TableEvidence(
        database=CENTRAL,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report). Also an EF entity set in the portal "
              "(OptimizationCustomerProcessings)."),
        columns={
            "DeviceCount": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1783,
                       "UPDATE SET / WHERE"),
            ),
            "IsProcessed": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1784,
                       "UPDATE SET / WHERE"),
            ),
            "EndTime": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1785,
                       "UPDATE SET / WHERE"),
            ),
            "InstanceId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1786,
                       "UPDATE SET / WHERE"),
            ),
            "ServiceProviderId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1788,
                       "UPDATE SET / WHERE"),
            ),
            "SessionId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1789,
                       "UPDATE SET / WHERE"),
            ),
            "CustomerId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1793,
                       "UPDATE SET / WHERE"),
            ),
            "AMOPCustomerId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1797,
                       "UPDATE SET / WHERE"),
            ),
            "CustomerName": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1908, "SELECT"),
            ),
            "StartTime": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1908, "SELECT"),
            ),
            "AMOPCustomerName": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1908, "SELECT"),
            ),
            "ErrorMessage": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1963, "UPDATE SET"),
            ),
        },
    ),
    "OptimizationDevice": TableEvidence(
        database=CENTRAL,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report). Bulk-copied via DatabaseTableNames.OptimizationDevice "
              "with AutoMapColumns (names = OptimizationDeviceColumnNames/CommonColumnNames "
              "constants)."),
        columns={
            "Id": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1286, "SELECT/WHERE (GetSimCards)"),
            ),
            "InstanceId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1287, "SELECT/WHERE (GetSimCards)"),
            ),
            "CycleDataUsageMB": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1288, "SELECT/WHERE (GetSimCards)"),
            ),
            "ProjectedDataUsageMB": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1289, "SELECT/WHERE (GetSimCards)"),
            ),
            "CommunicationPlan": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1290, "SELECT/WHERE (GetSimCards)"),
            ),
            "MSISDN": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1291, "SELECT/WHERE (GetSimCards)"),
            ),
            "ICCID": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1292, "SELECT/WHERE (GetSimCards)"),
            ),
            "UsageDate": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1293, "SELECT/WHERE (GetSimCards)"),
            ),
            "CreatedBy": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1294, "SELECT/WHERE (GetSimCards)"),
            ),
            "CreatedDate": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1295, "SELECT/WHERE (GetSimCards)"),
            ),
            "AmopDeviceId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1296, "SELECT/WHERE (GetSimCards)"),
            ),
            "ServiceProviderId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1297, "SELECT/WHERE (GetSimCards)"),
            ),
            "DateActivated": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1298, "SELECT/WHERE (GetSimCards)"),
            ),
            "SmsUsage": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1299, "SELECT/WHERE (GetSimCards)"),
            ),
            "RatePlanCode": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1300, "SELECT/WHERE (GetSimCards)"),
            ),
            "OptimizationCommGroupId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1304, "SELECT/WHERE (GetSimCards)"),
            ),
            "AutoChangeRatePlan": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1306, "SELECT/WHERE (GetSimCards)"),
            ),
            "DeviceId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 2089,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationDeviceColumnNames.DeviceId]")),
            ),
            "WasActivatedInThisBillingPeriod": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 2101,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationDeviceColumnNames.WasActivatedInThisBillingPeriod]")),
            ),
            "DaysActivatedInBillingPeriod": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 2102,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationDeviceColumnNames.DaysActivatedInBillingPeriod]")),
            ),
        },
        types={
            "InstanceId": "long",
            "DeviceId": "int",
            "CycleDataUsageMB": "decimal",
            "ProjectedDataUsageMB": "decimal",
            "UsageDate": "DateTime",
            "CreatedDate": "DateTime",
            "AmopDeviceId": "int",
            "ServiceProviderId": "int",
            "DateActivated": "DateTime",
            "WasActivatedInThisBillingPeriod": "bool",
            "DaysActivatedInBillingPeriod": "int",
            "SmsUsage": "long",
            "AutoChangeRatePlan": "bool",
            "OptimizationCommGroupId": "long",
            "RatePlanCode": "string",
        },
        constant_named=frozenset({
            "DaysActivatedInBillingPeriod", "DeviceId", "WasActivatedInThisBillingPeriod",
        }),
    ),
    "OptimizationDeviceResult": TableEvidence(
        database=CENTRAL,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report). UsageMB, ChargeAmt, SmsUsage, SmsChargeAmount are "
              "unqualified in a 5-table join; attributed here because the result DataTable "
              "(OptimizationResultDbWriter.cs:459-474) has them."),
        columns={
            "AssignedCustomerRatePlanId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 854,
                       "SELECT/JOIN/WHERE (GetM2MResults)"),
            ),
            "AssignedCarrierRatePlanId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 854,
                       "SELECT/JOIN/WHERE (GetM2MResults)"),
            ),
            "CustomerRatePoolId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 855,
                       "SELECT/JOIN/WHERE (GetM2MResults)"),
            ),
            "BaseRateAmt": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 858,
                       "SELECT/JOIN/WHERE (GetM2MResults)"),
            ),
            "RateChargeAmt": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 858,
                       "SELECT/JOIN/WHERE (GetM2MResults)"),
            ),
            "OverageChargeAmt": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 858,
                       "SELECT/JOIN/WHERE (GetM2MResults)"),
            ),
            "AmopDeviceId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 860,
                       "SELECT/JOIN/WHERE (GetM2MResults)"),
            ),
            "QueueId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 865,
                       "SELECT/JOIN/WHERE (GetM2MResults)"),
            ),
            "UsageMB": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 851,
                       "SELECT, unqualified in join"),
            ),
            "ChargeAmt": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 857,
                       "SELECT, unqualified in join"),
            ),
            "SmsUsage": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 857,
                       "SELECT, unqualified in join"),
            ),
            "SmsChargeAmount": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 858,
                       "SELECT, unqualified in join"),
            ),
        },
        types={
            "QueueId": "long",
            "UsageMB": "decimal",
            "AssignedCarrierRatePlanId": "int",
            "AssignedCustomerRatePlanId": "int",
            "AmopDeviceId": "int",
            "ChargeAmt": "decimal",
            "SmsUsage": "long",
            "SmsChargeAmount": "decimal",
            "BaseRateAmt": "decimal",
            "RateChargeAmt": "decimal",
            "OverageChargeAmt": "decimal",
            "CustomerRatePoolId": "int",
        },
    ),
    "OptimizationDeviceResult_CustomerChargeQueue": TableEvidence(
        database=CENTRAL,
        note="Portal EF entity (DbSet name pluralised; table name assumed singular, unverified).",
        sources=(
            Source(CUSTOMER, "OptimizationApiController.cs", 1755, "EF AddRange (portal)"),
        ),
        columns={
        },
    ),
    "OptimizationDeviceResultStaging": TableEvidence(
        database=CENTRAL,
        name_known=False,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report). Name only as "
              "DatabaseTableNames.OptimizationDeviceResultStaging."),
        sources=(
            Source(CUSTOMER, "OptimizationResultDbWriter.cs", 312,
                   "return DatabaseTableNames.OptimizationDeviceResultStaging"),
        ),
        columns={
            "QueueId": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 459,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.QueueId]")),
            ),
            "DeviceId": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 460,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.DeviceId]")),
            ),
            "UsageMB": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 461,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.UsageMB]")),
            ),
            "AssignedCarrierRatePlanId": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 462,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.AssignedCarrierRatePlanId]")),
            ),
            "AssignedCustomerRatePlanId": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 463,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.AssignedCustomerRatePlanId]")),
            ),
            "CreatedBy": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 464,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.CreatedBy]")),
            ),
            "CreatedDate": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 465,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.CreatedDate]")),
            ),
            "AmopDeviceId": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 466,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.AmopDeviceId]")),
            ),
            "ChargeAmt": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 467,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.ChargeAmt]")),
            ),
            "BillingPeriodId": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 468,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.BillingPeriodId]")),
            ),
            "SmsUsage": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 469,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.SmsUsage]")),
            ),
            "SmsChargeAmount": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 470,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.SmsChargeAmount]")),
            ),
            "BaseRateAmt": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 471,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.BaseRateAmt]")),
            ),
            "RateChargeAmt": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 472,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.RateChargeAmt]")),
            ),
            "OverageChargeAmt": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 473,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.OverageChargeAmt]")),
            ),
            "CustomerRatePoolId": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 474,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.CustomerRatePoolId]")),
            ),
        },
        types={
            "QueueId": "long",
            "DeviceId": "int",
            "UsageMB": "decimal",
            "AssignedCarrierRatePlanId": "int",
            "AssignedCustomerRatePlanId": "int",
            "CreatedDate": "DateTime",
            "AmopDeviceId": "int",
            "ChargeAmt": "decimal",
            "BillingPeriodId": "int",
            "SmsUsage": "long",
            "SmsChargeAmount": "decimal",
            "BaseRateAmt": "decimal",
            "RateChargeAmt": "decimal",
            "OverageChargeAmt": "decimal",
            "CustomerRatePoolId": "int",
        },
        constant_named=frozenset({
            "AmopDeviceId", "AssignedCarrierRatePlanId", "AssignedCustomerRatePlanId",
            "BaseRateAmt", "BillingPeriodId", "ChargeAmt", "CreatedBy", "CreatedDate",
            "CustomerRatePoolId", "DeviceId", "OverageChargeAmt", "QueueId", "RateChargeAmt",
            "SmsChargeAmount", "SmsUsage", "UsageMB",
        }),
    ),
    "OptimizationInstance": TableEvidence(
        database=CENTRAL,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report). QueueCarrierPlanOptimization.cs:399-402 selects "
              "OptimizationInstanceStatusId FROM OptimizationInstance - a column no other "
              "query shows (the others use RunStatusId); that code also references an "
              "undefined 'billingPeriod', so it may never have compiled as published."),
        columns={
            "Id": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 371,
                       "SELECT OI.[..] (GetInstance; reader 398-416)"),
            ),
            "RunStatusId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 371,
                       "SELECT OI.[..] (GetInstance; reader 398-416)"),
            ),
            "RunStartTime": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 371,
                       "SELECT OI.[..] (GetInstance; reader 398-416)"),
            ),
            "RunEndTime": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 371,
                       "SELECT OI.[..] (GetInstance; reader 398-416)"),
            ),
            "BillingPeriodStartDate": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 371,
                       "SELECT OI.[..] (GetInstance; reader 398-416)"),
            ),
            "BillingPeriodEndDate": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 371,
                       "SELECT OI.[..] (GetInstance; reader 398-416)"),
            ),
            "RevCustomerId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 371,
                       "SELECT OI.[..] (GetInstance; reader 398-416)"),
            ),
            "ServiceProviderId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 371,
                       "SELECT OI.[..] (GetInstance; reader 398-416)"),
            ),
            "TenantId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 371,
                       "SELECT OI.[..] (GetInstance; reader 398-416)"),
            ),
            "PortalTypeId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 371,
                       "SELECT OI.[..] (GetInstance; reader 398-416)"),
            ),
            "OptimizationBillingPeriodId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 371,
                       "SELECT OI.[..] (GetInstance; reader 398-416)"),
            ),
            "UseBillInAdvance": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 371,
                       "SELECT OI.[..] (GetInstance; reader 398-416)"),
            ),
            "BillInAdvanceBillingPeriodId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 371,
                       "SELECT OI.[..] (GetInstance; reader 398-416)"),
            ),
            "AMOPCustomerId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 371,
                       "SELECT OI.[..] (GetInstance; reader 398-416)"),
            ),
            "OptimizationSessionId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 371,
                       "SELECT OI.[..] (GetInstance; reader 398-416)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 1845,
                       "INSERT (StartOptimizationInstance, used by carrier optimization)"),
                Source(CARRIER, "QueueCarrierPlanOptimization.cs", 401,
                       ("SELECT TOP 1 .. WHERE OptimizationSessionId = .. ORDER BY "
                        "CreatedDate DESC (IsOptimizationRunning)")),
            ),
            "CustomerBillingPeriodId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 372,
                       "SELECT OI.[..] (GetInstance; reader 398-416)"),
            ),
            "CustomerBillInAdvanceBillingPeriodId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 373,
                       "SELECT OI.[..] (GetInstance; reader 398-416)"),
            ),
            "ServiceProviderIds": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 374,
                       "SELECT OI.[..] (GetInstance; reader 398-416)"),
            ),
            "SqsMessageId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1845,
                       "INSERT (StartOptimizationInstance, used by carrier optimization)"),
            ),
            "CreatedBy": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1845,
                       "INSERT (StartOptimizationInstance, used by carrier optimization)"),
            ),
            "CreatedDate": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1845,
                       "INSERT (StartOptimizationInstance, used by carrier optimization)"),
                Source(CARRIER, "QueueCarrierPlanOptimization.cs", 402,
                       ("SELECT TOP 1 .. WHERE OptimizationSessionId = .. ORDER BY "
                        "CreatedDate DESC (IsOptimizationRunning)")),
            ),
            "IsDeleted": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1845,
                       "INSERT (StartOptimizationInstance, used by carrier optimization)"),
            ),
            "IntegrationAuthenticationId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1845,
                       "INSERT (StartOptimizationInstance, used by carrier optimization)"),
            ),
            "OptimizationInstanceStatusId": (
                Source(CARRIER, "QueueCarrierPlanOptimization.cs", 399,
                       ("SELECT TOP 1 .. WHERE OptimizationSessionId = .. ORDER BY "
                        "CreatedDate DESC (IsOptimizationRunning)")),
            ),
        },
        types={
            "Id": "long",
            "RunStatusId": "int",
            "RevCustomerId": "Guid",
            "ServiceProviderId": "int?",
            "TenantId": "int",
            "PortalTypeId": "int",
            "UseBillInAdvance": "bool",
            "OptimizationSessionId": "long",
            "BillingPeriodStartDate": "DateTime",
            "BillingPeriodEndDate": "DateTime",
        },
    ),
    "OptimizationInstanceResultFile": TableEvidence(
        database=CENTRAL,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report)."),
        columns={
            "InstanceId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1446, "INSERT"),
            ),
            "AssignmentXlsxBytes": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1446, "INSERT"),
            ),
            "CreatedBy": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1446, "INSERT"),
            ),
            "CreatedDate": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1446, "INSERT"),
            ),
            "IsDeleted": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1446, "INSERT"),
            ),
            "Id": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1459,
                       "SELECT TOP 1 Id ... WHERE InstanceId"),
            ),
        },
    ),
    "OptimizationMobilityDevice": TableEvidence(
        database=CENTRAL,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report). Bulk-copied (literal name) with AutoMapColumns; names "
              "are constants."),
        sources=(
            Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 228,
                   "SqlBulkCopy(.., \"OptimizationMobilityDevice\", AutoMapColumns)"),
        ),
        columns={
            "InstanceId": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 415,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.InstanceId]")),
            ),
            "DeviceId": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 416,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.DeviceId]")),
            ),
            "CycleDataUsageMB": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 417,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.CycleDataUsageMB]")),
            ),
            "ProjectedDataUsageMB": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 418,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.ProjectedDataUsageMB]")),
            ),
            "CommunicationPlan": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 419,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.CommunicationPlan]")),
            ),
            "MSISDN": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 420,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.MSISDN]")),
            ),
            "ICCID": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 421,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.ICCID]")),
            ),
            "UsageDate": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 422,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.UsageDate]")),
            ),
            "CreatedBy": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 423,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.CreatedBy]")),
            ),
            "CreatedDate": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 424,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.CreatedDate]")),
            ),
            "AmopDeviceId": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 425,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.AmopDeviceId]")),
            ),
            "ServiceProviderId": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 426,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.ServiceProviderId]")),
            ),
            "DateActivated": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 427,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.DateActivated]")),
            ),
            "WasActivatedInThisBillingPeriod": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 428,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.WasActivatedInThisBillingP"
                        "eriod]")),
            ),
            "DaysActivatedInBillingPeriod": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 429,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.DaysActivatedInBillingPeri"
                        "od]")),
            ),
            "SmsUsage": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 430,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.SmsUsage]")),
            ),
            "OptimizationRatePlanTypeId": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 431,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.OptimizationRatePlanTypeId]")),
            ),
            "OptimizationGroupId": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 432,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.OptimizationGroupId]")),
            ),
            "AutoChangeRatePlan": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 433,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.AutoChangeRatePlan]")),
            ),
            "OptimizationCommGroupId": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 434,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.OptimizationCommGroupId]")),
            ),
            "RatePlanCode": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 435,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationMobilityDeviceColumnNames.RatePlanCode]")),
            ),
        },
        types={
            "InstanceId": "long",
            "DeviceId": "int",
            "CycleDataUsageMB": "decimal",
            "ProjectedDataUsageMB": "decimal",
            "AmopDeviceId": "int",
            "ServiceProviderId": "int",
            "SmsUsage": "long",
            "OptimizationRatePlanTypeId": "int",
            "OptimizationGroupId": "int",
            "AutoChangeRatePlan": "bool",
            "OptimizationCommGroupId": "long",
        },
        constant_named=frozenset({
            "AmopDeviceId", "AutoChangeRatePlan", "CommunicationPlan", "CreatedBy", "CreatedDate",
            "CycleDataUsageMB", "DateActivated", "DaysActivatedInBillingPeriod", "DeviceId",
            "ICCID", "InstanceId", "MSISDN", "OptimizationCommGroupId", "OptimizationGroupId",
            "OptimizationRatePlanTypeId", "ProjectedDataUsageMB", "RatePlanCode",
            "ServiceProviderId", "SmsUsage", "UsageDate", "WasActivatedInThisBillingPeriod",
        }),
    ),
    "OptimizationMobilityDeviceResult": TableEvidence(
        database=CENTRAL,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report)."),
        columns={
            "AssignedCustomerRatePlanId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 912,
                       "SELECT/JOIN (GetMobilityResults)"),
            ),
            "AssignedCarrierRatePlanId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 912,
                       "SELECT/JOIN (GetMobilityResults)"),
            ),
            "CustomerRatePoolId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 913,
                       "SELECT/JOIN (GetMobilityResults)"),
            ),
            "BaseRateAmt": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 916,
                       "SELECT/JOIN (GetMobilityResults)"),
            ),
            "RateChargeAmt": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 916,
                       "SELECT/JOIN (GetMobilityResults)"),
            ),
            "OverageChargeAmt": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 916,
                       "SELECT/JOIN (GetMobilityResults)"),
            ),
            "AmopDeviceId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 918,
                       "SELECT/JOIN (GetMobilityResults)"),
            ),
            "UsageMB": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 910,
                       "SELECT/WHERE, unqualified in join"),
            ),
            "ChargeAmt": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 915,
                       "SELECT/WHERE, unqualified in join"),
            ),
            "SmsUsage": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 915,
                       "SELECT/WHERE, unqualified in join"),
            ),
            "SmsChargeAmount": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 915,
                       "SELECT/WHERE, unqualified in join"),
            ),
            "QueueId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 922,
                       "SELECT/WHERE, unqualified in join"),
            ),
        },
        types={
            "QueueId": "long",
            "UsageMB": "decimal",
            "AssignedCarrierRatePlanId": "int",
            "AssignedCustomerRatePlanId": "int",
            "AmopDeviceId": "int",
            "ChargeAmt": "decimal",
            "SmsUsage": "long",
            "SmsChargeAmount": "decimal",
            "BaseRateAmt": "decimal",
            "RateChargeAmt": "decimal",
            "OverageChargeAmt": "decimal",
            "CustomerRatePoolId": "int",
        },
    ),
    "OptimizationMobilityDeviceResult_CustomerChargeQueue": TableEvidence(
        database=CENTRAL,
        note="Portal EF entity (DbSet name pluralised; table name assumed singular, unverified).",
        sources=(
            Source(CUSTOMER, "OptimizationApiController.cs", 1756, "EF AddRange (portal)"),
        ),
        columns={
        },
    ),
    "OptimizationMobilityDeviceResultStaging": TableEvidence(
        database=CENTRAL,
        name_known=False,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report). Name only as "
              "DatabaseTableNames.OptimizationMobilityDeviceResultStaging."),
        sources=(
            Source(CUSTOMER, "OptimizationResultDbWriter.cs", 308,
                   "return DatabaseTableNames.OptimizationMobilityDeviceResultStaging"),
        ),
        columns={
            "QueueId": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 459,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.QueueId]")),
            ),
            "DeviceId": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 460,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.DeviceId]")),
            ),
            "UsageMB": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 461,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.UsageMB]")),
            ),
            "AssignedCarrierRatePlanId": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 462,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.AssignedCarrierRatePlanId]")),
            ),
            "AssignedCustomerRatePlanId": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 463,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.AssignedCustomerRatePlanId]")),
            ),
            "CreatedBy": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 464,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.CreatedBy]")),
            ),
            "CreatedDate": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 465,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.CreatedDate]")),
            ),
            "AmopDeviceId": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 466,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.AmopDeviceId]")),
            ),
            "ChargeAmt": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 467,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.ChargeAmt]")),
            ),
            "BillingPeriodId": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 468,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.BillingPeriodId]")),
            ),
            "SmsUsage": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 469,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.SmsUsage]")),
            ),
            "SmsChargeAmount": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 470,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.SmsChargeAmount]")),
            ),
            "BaseRateAmt": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 471,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.BaseRateAmt]")),
            ),
            "RateChargeAmt": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 472,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.RateChargeAmt]")),
            ),
            "OverageChargeAmt": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 473,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.OverageChargeAmt]")),
            ),
            "CustomerRatePoolId": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 474,
                       ("bulk-copy DataTable column (AutoMapColumns) [name via constant "
                        "OptimizationDeviceResultColumnNames.CustomerRatePoolId]")),
            ),
        },
        types={
            "QueueId": "long",
            "DeviceId": "int",
            "UsageMB": "decimal",
            "AssignedCarrierRatePlanId": "int",
            "AssignedCustomerRatePlanId": "int",
            "CreatedDate": "DateTime",
            "AmopDeviceId": "int",
            "ChargeAmt": "decimal",
            "BillingPeriodId": "int",
            "SmsUsage": "long",
            "SmsChargeAmount": "decimal",
            "BaseRateAmt": "decimal",
            "RateChargeAmt": "decimal",
            "OverageChargeAmt": "decimal",
            "CustomerRatePoolId": "int",
        },
        constant_named=frozenset({
            "AmopDeviceId", "AssignedCarrierRatePlanId", "AssignedCustomerRatePlanId",
            "BaseRateAmt", "BillingPeriodId", "ChargeAmt", "CreatedBy", "CreatedDate",
            "CustomerRatePoolId", "DeviceId", "OverageChargeAmt", "QueueId", "RateChargeAmt",
            "SmsChargeAmount", "SmsUsage", "UsageMB",
        }),
    ),
    "OptimizationMobilitySharedPoolResult": TableEvidence(
        database=CENTRAL,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report). Also a bulk-copy target of the result DataTable."),
        columns={
            "AssignedCustomerRatePlanId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1019,
                       "SELECT/JOIN (GetMobilitySharedPoolResults)"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 463,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationDeviceResultColumnNames.AssignedCustomerRatePlanId]")),
            ),
            "AssignedCarrierRatePlanId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1019,
                       "SELECT/JOIN (GetMobilitySharedPoolResults)"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 462,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationDeviceResultColumnNames.AssignedCarrierRatePlanId]")),
            ),
            "CustomerRatePoolId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1020,
                       "SELECT/JOIN (GetMobilitySharedPoolResults)"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 474,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationDeviceResultColumnNames.CustomerRatePoolId]")),
            ),
            "BaseRateAmt": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1023,
                       "SELECT/JOIN (GetMobilitySharedPoolResults)"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 471,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationDeviceResultColumnNames.BaseRateAmt]")),
            ),
            "RateChargeAmt": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1023,
                       "SELECT/JOIN (GetMobilitySharedPoolResults)"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 472,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationDeviceResultColumnNames.RateChargeAmt]")),
            ),
            "OverageChargeAmt": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1023,
                       "SELECT/JOIN (GetMobilitySharedPoolResults)"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 473,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationDeviceResultColumnNames.OverageChargeAmt]")),
            ),
            "AmopDeviceId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1025,
                       "SELECT/JOIN (GetMobilitySharedPoolResults)"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 466,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationDeviceResultColumnNames.AmopDeviceId]")),
            ),
            "UsageMB": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1017,
                       "SELECT/WHERE, unqualified in join"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 461,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationDeviceResultColumnNames.UsageMB]")),
            ),
            "ChargeAmt": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1022,
                       "SELECT/WHERE, unqualified in join"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 467,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationDeviceResultColumnNames.ChargeAmt]")),
            ),
            "SmsUsage": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1022,
                       "SELECT/WHERE, unqualified in join"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 469,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationDeviceResultColumnNames.SmsUsage]")),
            ),
            "SmsChargeAmount": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1023,
                       "SELECT/WHERE, unqualified in join"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 470,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationDeviceResultColumnNames.SmsChargeAmount]")),
            ),
            "QueueId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1029,
                       "SELECT/WHERE, unqualified in join"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 459,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationDeviceResultColumnNames.QueueId]")),
            ),
            "DeviceId": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 460,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationDeviceResultColumnNames.DeviceId]")),
            ),
            "CreatedBy": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 464,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationDeviceResultColumnNames.CreatedBy]")),
            ),
            "CreatedDate": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 465,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationDeviceResultColumnNames.CreatedDate]")),
            ),
            "BillingPeriodId": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 468,
                       ("bulk-copy DataTable column [name via constant "
                        "OptimizationDeviceResultColumnNames.BillingPeriodId]")),
            ),
        },
        types={
            "QueueId": "long",
            "DeviceId": "int",
            "UsageMB": "decimal",
            "AssignedCarrierRatePlanId": "int",
            "AssignedCustomerRatePlanId": "int",
            "CreatedDate": "DateTime",
            "AmopDeviceId": "int",
            "ChargeAmt": "decimal",
            "BillingPeriodId": "int",
            "SmsUsage": "long",
            "SmsChargeAmount": "decimal",
            "BaseRateAmt": "decimal",
            "RateChargeAmt": "decimal",
            "OverageChargeAmt": "decimal",
            "CustomerRatePoolId": "int",
        },
        constant_named=frozenset({
            "BillingPeriodId", "CreatedBy", "CreatedDate", "DeviceId",
        }),
    ),
    "OptimizationQueue": TableEvidence(
        database=CENTRAL,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report). One row per rate-plan permutation. The carrier queue "
              "Lambda bulk-copies it via DatabaseTableNames.OPITMIZATION_QUEUE (sic) with "
              "CommonColumnNames columns (RunStatusId typed decimal there)."),
        columns={
            "Id": (
                Source(CLEANUP, "AwsFunctionBase.cs", 146, "SELECT (cleanup base class GetQueue)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 466,
                       "SELECT (GetQueue; read 519-537 GetInt32/GetBoolean)"),
            ),
            "InstanceId": (
                Source(CLEANUP, "AwsFunctionBase.cs", 146, "SELECT (cleanup base class GetQueue)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 466,
                       "SELECT (GetQueue; read 519-537 GetInt32/GetBoolean)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 1184, "INSERT (CreateQueue)"),
            ),
            "CommPlanGroupId": (
                Source(CLEANUP, "AwsFunctionBase.cs", 146, "SELECT (cleanup base class GetQueue)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 466,
                       "SELECT (GetQueue; read 519-537 GetInt32/GetBoolean)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 1184, "INSERT (CreateQueue)"),
            ),
            "ServiceProviderId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 466,
                       "SELECT (GetQueue; read 519-537 GetInt32/GetBoolean)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 1184, "INSERT (CreateQueue)"),
            ),
            "UsesProration": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 466,
                       "SELECT (GetQueue; read 519-537 GetInt32/GetBoolean)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 1184, "INSERT (CreateQueue)"),
            ),
            "IsBillInAdvance": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 466,
                       "SELECT (GetQueue; read 519-537 GetInt32/GetBoolean)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 1184, "INSERT (CreateQueue)"),
            ),
            "RunStatusId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 466,
                       "SELECT (GetQueue; read 519-537 GetInt32/GetBoolean)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 1184, "INSERT (CreateQueue)"),
            ),
            "CreatedBy": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1184, "INSERT (CreateQueue)"),
            ),
            "CreatedDate": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1184, "INSERT (CreateQueue)"),
            ),
            "IsDeleted": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1184, "INSERT (CreateQueue)"),
            ),
            "RunStartTime": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1538, "UPDATE (StartQueue)"),
            ),
            "SqsMessageId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1538, "UPDATE (StartQueue)"),
            ),
            "RunEndTime": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1747, "UPDATE (StopQueue)"),
            ),
            "TotalCost": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1631, "SELECT MIN(TotalCost)"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 99,
                       "UPDATE SET (RecordResults)"),
            ),
            "TotalBaseRateAmt": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 100,
                       "UPDATE SET (RecordResults)"),
            ),
            "TotalRateChargeAmt": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 101,
                       "UPDATE SET (RecordResults)"),
            ),
            "TotalOverageChargeAmt": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 102,
                       "UPDATE SET (RecordResults)"),
            ),
        },
        types={
            "Id": "long",
            "InstanceId": "long",
            "CommPlanGroupId": "long",
            "ServiceProviderId": "int?",
            "UsesProration": "bool",
            "IsBillInAdvance": "bool",
            "RunStatusId": "int",
            "TotalCost": "decimal",
        },
    ),
    "OptimizationQueue_RatePlan": TableEvidence(
        database=CENTRAL,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report)."),
        columns={
            "QueueId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1265, "SqlBulkCopyColumnMapping"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 785,
                       "JOIN ON / WHERE / ORDER BY (GetQueueRatePlans)"),
            ),
            "CommGroup_RatePlanId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1266, "SqlBulkCopyColumnMapping"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 785,
                       "JOIN ON / WHERE / ORDER BY (GetQueueRatePlans)"),
            ),
            "SequenceOrder": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1267, "SqlBulkCopyColumnMapping"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 785,
                       "JOIN ON / WHERE / ORDER BY (GetQueueRatePlans)"),
            ),
            "CreatedBy": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1268, "SqlBulkCopyColumnMapping"),
            ),
            "CreatedDate": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1269, "SqlBulkCopyColumnMapping"),
            ),
        },
        types={
            "QueueId": "long",
            "CommGroup_RatePlanId": "long",
            "SequenceOrder": "int",
            "CreatedDate": "DateTime",
        },
    ),
    "OptimizationRatePlanUpdateSummary": TableEvidence(
        database=CENTRAL,
        note=("Portal EF entity (DbSet name pluralised; table name assumed singular, "
              "unverified). Columns seen only in procedure results "
              "(usp_Optimization_PreviousRatePlanUpdateSummary)."),
        sources=(
            Source(CUSTOMER, "OptimizationApiController.cs", 1558,
                   "EF DbSet OptimizationRatePlanUpdateSummaries (portal)"),
        ),
        columns={
        },
    ),
    "OptimizationSession": TableEvidence(
        database=CENTRAL,
        note=("Session table behind vwOptimizationSession; seen only as the portal EF entity "
              "(DbSet OptimizationSessions) created in "
              "OptimizationApiController.CreateOptimizationSession and as the procedure "
              "usp_Optimization_Create_OptimizationSession in the optimizer. Table name "
              "assumed from the entity name."),
        columns={
            "SessionId": (
                Source(CUSTOMER, "OptimizationApiController.cs", 278, "EF, = Guid.NewGuid()"),
            ),
            "BillingPeriodStartDate": (
                Source(CUSTOMER, "OptimizationApiController.cs", 279,
                       "EF object initializer (portal CreateOptimizationSession)"),
            ),
            "BillingPeriodEndDate": (
                Source(CUSTOMER, "OptimizationApiController.cs", 280,
                       "EF object initializer (portal CreateOptimizationSession)"),
            ),
            "TenantId": (
                Source(CUSTOMER, "OptimizationApiController.cs", 281,
                       "EF object initializer (portal CreateOptimizationSession)"),
            ),
            "ServiceProviderId": (
                Source(CUSTOMER, "OptimizationApiController.cs", 282,
                       "EF object initializer (portal CreateOptimizationSession)"),
            ),
            "ServiceProviderIds": (
                Source(CUSTOMER, "OptimizationApiController.cs", 283,
                       "EF object initializer (portal CreateOptimizationSession)"),
                Source(CUSTOMER, "OptimizationApiController.cs", 1069, "EF property (portal)"),
            ),
            "SiteId": (
                Source(CUSTOMER, "OptimizationApiController.cs", 284,
                       "EF object initializer (portal CreateOptimizationSession)"),
            ),
            "OptimizationTypeId": (
                Source(CUSTOMER, "OptimizationApiController.cs", 285,
                       "EF object initializer (portal CreateOptimizationSession)"),
            ),
            "CreatedBy": (
                Source(CUSTOMER, "OptimizationApiController.cs", 286,
                       "EF object initializer (portal CreateOptimizationSession)"),
            ),
            "CreatedDate": (
                Source(CUSTOMER, "OptimizationApiController.cs", 287,
                       "EF object initializer (portal CreateOptimizationSession)"),
            ),
            "IsActive": (
                Source(CUSTOMER, "OptimizationApiController.cs", 288,
                       "EF object initializer (portal CreateOptimizationSession)"),
            ),
            "IsDeleted": (
                Source(CUSTOMER, "OptimizationApiController.cs", 289,
                       "EF object initializer (portal CreateOptimizationSession)"),
            ),
            "Id": (
                Source(CUSTOMER, "OptimizationApiController.cs", 293,
                       "EF, returned as the long session id"),
            ),
        },
        types={
            "Id": "long",
            "SessionId": "Guid",
            "BillingPeriodStartDate": "DateTime",
            "BillingPeriodEndDate": "DateTime",
            "TenantId": "int",
            "ServiceProviderId": "int?",
            "ServiceProviderIds": "string",
            "SiteId": "int?",
            "OptimizationTypeId": "int",
            "CreatedDate": "DateTime",
            "IsActive": "bool",
            "IsDeleted": "bool",
        },
    ),
    "OptimizationSetting": TableEvidence(
        database=CENTRAL,
        note=("Portal EF entity (DbSet name pluralised; table name assumed singular, "
              "unverified). Holds optimization settings (not ServiceProviderSetting); "
              "literal keys seen: CustomerOptimizationToEmailAddresses, "
              "CustomerOptimizationFromEmailAddress. The optimization-settings procedure "
              "returns SettingKey, SettingValue, CanOverride, OverrideValue "
              "(SettingsRepository.cs:418-435)."),
        columns={
            "IsDeleted": (
                Source(CUSTOMER, "OptimizationApiController.cs", 829,
                       "EF filter/property (portal)"),
            ),
            "SettingKey": (
                Source(CUSTOMER, "OptimizationApiController.cs", 830,
                       "EF filter/property (portal)"),
            ),
            "SettingValue": (
                Source(CUSTOMER, "OptimizationApiController.cs", 831,
                       "EF filter/property (portal)"),
            ),
        },
    ),
    "OptimizationSharedPoolResult": TableEvidence(
        database=CENTRAL,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report). Also a bulk-copy target of the result DataTable."),
        columns={
            "AssignedCustomerRatePlanId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 960,
                       "SELECT/JOIN/WHERE (GetM2MSharedPoolResults)"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 463,
                       ("bulk-copy DataTable column (BuildOptimizationResultTable) [name via "
                        "constant "
                        "OptimizationDeviceResultColumnNames.AssignedCustomerRatePlanId]")),
            ),
            "AssignedCarrierRatePlanId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 960,
                       "SELECT/JOIN/WHERE (GetM2MSharedPoolResults)"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 462,
                       ("bulk-copy DataTable column (BuildOptimizationResultTable) [name via "
                        "constant "
                        "OptimizationDeviceResultColumnNames.AssignedCarrierRatePlanId]")),
            ),
            "CustomerRatePoolId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 961,
                       "SELECT/JOIN/WHERE (GetM2MSharedPoolResults)"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 474,
                       ("bulk-copy DataTable column (BuildOptimizationResultTable) [name via "
                        "constant OptimizationDeviceResultColumnNames.CustomerRatePoolId]")),
            ),
            "BaseRateAmt": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 964,
                       "SELECT/JOIN/WHERE (GetM2MSharedPoolResults)"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 471,
                       ("bulk-copy DataTable column (BuildOptimizationResultTable) [name via "
                        "constant OptimizationDeviceResultColumnNames.BaseRateAmt]")),
            ),
            "RateChargeAmt": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 964,
                       "SELECT/JOIN/WHERE (GetM2MSharedPoolResults)"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 472,
                       ("bulk-copy DataTable column (BuildOptimizationResultTable) [name via "
                        "constant OptimizationDeviceResultColumnNames.RateChargeAmt]")),
            ),
            "OverageChargeAmt": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 964,
                       "SELECT/JOIN/WHERE (GetM2MSharedPoolResults)"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 473,
                       ("bulk-copy DataTable column (BuildOptimizationResultTable) [name via "
                        "constant OptimizationDeviceResultColumnNames.OverageChargeAmt]")),
            ),
            "AmopDeviceId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 966,
                       "SELECT/JOIN/WHERE (GetM2MSharedPoolResults)"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 466,
                       ("bulk-copy DataTable column (BuildOptimizationResultTable) [name via "
                        "constant OptimizationDeviceResultColumnNames.AmopDeviceId]")),
            ),
            "QueueId": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 971,
                       "SELECT/JOIN/WHERE (GetM2MSharedPoolResults)"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 459,
                       ("bulk-copy DataTable column (BuildOptimizationResultTable) [name via "
                        "constant OptimizationDeviceResultColumnNames.QueueId]")),
            ),
            "UsageMB": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 957,
                       "SELECT, unqualified in join"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 461,
                       ("bulk-copy DataTable column (BuildOptimizationResultTable) [name via "
                        "constant OptimizationDeviceResultColumnNames.UsageMB]")),
            ),
            "ChargeAmt": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 963,
                       "SELECT, unqualified in join"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 467,
                       ("bulk-copy DataTable column (BuildOptimizationResultTable) [name via "
                        "constant OptimizationDeviceResultColumnNames.ChargeAmt]")),
            ),
            "SmsUsage": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 963,
                       "SELECT, unqualified in join"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 469,
                       ("bulk-copy DataTable column (BuildOptimizationResultTable) [name via "
                        "constant OptimizationDeviceResultColumnNames.SmsUsage]")),
            ),
            "SmsChargeAmount": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 964,
                       "SELECT, unqualified in join"),
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 470,
                       ("bulk-copy DataTable column (BuildOptimizationResultTable) [name via "
                        "constant OptimizationDeviceResultColumnNames.SmsChargeAmount]")),
            ),
            "DeviceId": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 460,
                       ("bulk-copy DataTable column (BuildOptimizationResultTable) [name via "
                        "constant OptimizationDeviceResultColumnNames.DeviceId]")),
            ),
            "CreatedBy": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 464,
                       ("bulk-copy DataTable column (BuildOptimizationResultTable) [name via "
                        "constant OptimizationDeviceResultColumnNames.CreatedBy]")),
            ),
            "CreatedDate": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 465,
                       ("bulk-copy DataTable column (BuildOptimizationResultTable) [name via "
                        "constant OptimizationDeviceResultColumnNames.CreatedDate]")),
            ),
            "BillingPeriodId": (
                Source(CUSTOMER, "OptimizationResultDbWriter.cs", 468,
                       ("bulk-copy DataTable column (BuildOptimizationResultTable) [name via "
                        "constant OptimizationDeviceResultColumnNames.BillingPeriodId]")),
            ),
        },
        types={
            "QueueId": "long",
            "DeviceId": "int",
            "UsageMB": "decimal",
            "AssignedCarrierRatePlanId": "int",
            "AssignedCustomerRatePlanId": "int",
            "CreatedDate": "DateTime",
            "AmopDeviceId": "int",
            "ChargeAmt": "decimal",
            "BillingPeriodId": "int",
            "SmsUsage": "long",
            "SmsChargeAmount": "decimal",
            "BaseRateAmt": "decimal",
            "RateChargeAmt": "decimal",
            "OverageChargeAmt": "decimal",
            "CustomerRatePoolId": "int",
        },
        constant_named=frozenset({
            "BillingPeriodId", "CreatedBy", "CreatedDate", "DeviceId",
        }),
    ),
    "PondDevice": TableEvidence(
        database=CENTRAL,
        note=("Pond carrier device table; joined to Device on ICCID + ServiceProviderId "
              "(Pond sync log)."),
        columns={
            "ServiceProviderId": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 973,
                       ("SELECT/JOIN/WHERE (Pond sync log; WHERE [PondDevice].[DeviceStatus] "
                        "<> 'Unknown')")),
            ),
            "ICCID": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 974,
                       ("SELECT/JOIN/WHERE (Pond sync log; WHERE [PondDevice].[DeviceStatus] "
                        "<> 'Unknown')")),
            ),
            "DeviceStatus": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1001,
                       ("SELECT/JOIN/WHERE (Pond sync log; WHERE [PondDevice].[DeviceStatus] "
                        "<> 'Unknown')")),
            ),
        },
    ),
    'PondDeviceStaging': TableEvidence(
        database=CENTRAL,
        name_known=False,
        note=('Pond device staging, named only as DatabaseTableNames.PondDeviceStaging. '
              'AltaworxPondGetDevices fills it page by page, per billing group. It is '
              'bulk-copied BY NAME (SQLBulkCopyHelper.AutoMapColumns maps each DataTable '
              "column to the same name), so the constants' texts are the SQL names, but the "
              'texts are not visible. Truncated with PondRepository.TruncateStagingTables '
              '(POND_TRUNCATE_STAGING) at initialisation. Source read through the read_file '
              'index (commit feb04a9c4e09767605f072ce1a0d14ab1f3cfeee); line numbers were '
              'checked against a reconstruction whose CRLF offsets match the index.'),
        sources=(
            Source(POND_DEVICES, 'AltaworxPondGetDevices.cs', 226,
                   'SqlBulkCopy(.., DatabaseTableNames.PondDeviceStaging, columnMappings)'),
            Source(POND_DEVICES, 'AltaworxPondGetDevices.cs', 128,
                   'pondRepository.TruncateStagingTables(...) at InitializeSyncDeviceProcess'),
        ),
        columns={
            'Id': (
                Source(POND_DEVICES, 'AltaworxPondGetDevices.cs', 205,
                       'bulk-copy column (mapped by name) [name via constant CommonColumnNames.Id]'),
            ),
            'ICCID': (
                Source(POND_DEVICES, 'AltaworxPondGetDevices.cs', 206,
                       'bulk-copy column (mapped by name) [name via constant CommonColumnNames.ICCID]'),
            ),
            'Parent_Group_Id': (
                Source(POND_DEVICES, 'AltaworxPondGetDevices.cs', 207,
                       ('bulk-copy column (mapped by name) [name via constant '
                        'CommonColumnNames.Parent_Group_Id]')),
            ),
            'Inventory_Id': (
                Source(POND_DEVICES, 'AltaworxPondGetDevices.cs', 208,
                       ('bulk-copy column (mapped by name) [name via constant '
                        'CommonColumnNames.Inventory_Id]')),
            ),
            'IMSI': (
                Source(POND_DEVICES, 'AltaworxPondGetDevices.cs', 209,
                       'bulk-copy column (mapped by name) [name via constant CommonColumnNames.IMSI]'),
            ),
            'ServiceProviderId': (
                Source(POND_DEVICES, 'AltaworxPondGetDevices.cs', 210,
                       ('bulk-copy column (mapped by name) [name via constant '
                        'CommonColumnNames.ServiceProviderId]')),
            ),
            'CreatedDate': (
                Source(POND_DEVICES, 'AltaworxPondGetDevices.cs', 211,
                       ('bulk-copy column (mapped by name) [name via constant '
                        'CommonColumnNames.CreatedDate]')),
            ),
        },
        types={
            'Id': 'int',
            'ICCID': 'string',
            'Parent_Group_Id': 'int',
            'Inventory_Id': 'int',
            'IMSI': 'string',
            'ServiceProviderId': 'int',
            'CreatedDate': 'DateTime',
        },
        constant_named=frozenset({
            'Id',
            'ICCID',
            'Parent_Group_Id',
            'Inventory_Id',
            'IMSI',
            'ServiceProviderId',
            'CreatedDate',
        }),
    ),
    "PondDeviceStatusICCIDsToProcess": TableEvidence(
        database=CENTRAL,
        note=("Pond 'rows to process' (spelled ICCIDs, unlike the Jasper/ThingSpace ICCICDs "
              "tables); counted WHERE [IsDeleted] = 0, deleted whole-table."),
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 610,
                   "DELETE FROM (whole table)"),
        ),
        columns={
            "IsDeleted": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 666,
                       "COUNT(1) WHERE [IsDeleted] = 0"),
            ),
        },
    ),
    "PondDeviceUsageStaging": TableEvidence(
        database=CENTRAL,
        note=(("Pond usage staging; Duration is used as the raw DATA usage and CloseTime as "
              "the usage date (ISNULL(CloseTime, GETUTCDATE())).")
              + (' Round 2 (pond-AltaworxPondGetDeviceUsage): bulk-copied BY NAME '
                 '(AutoMapColumns) from a 20-column DataTable whose names are CommonColumnNames '
                 'constants (PondUsageReportReader.cs:137-156). CloseTime, ServiceProviderId, '
                 "ICCID and Duration match the cleanup's literals. Table named there only as "
                 'DatabaseTableNames.POND_DEVICE_USAGE_STAGING.')),
        sources=(
            Source(POND_USAGE, 'AltaworxPondGetDeviceUsage.cs', 279,
                   'SqlBulkCopy(.., DatabaseTableNames.POND_DEVICE_USAGE_STAGING, AutoMapColumns)'),
            Source(POND_USAGE, 'SQLBulkCopyHelper.cs', 14,
                   'mapping by name: new SqlBulkCopyColumnMapping(ColumnName, ColumnName)'),
        ),
        columns={
            "CloseTime": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 991,
                       ("sub-SELECT (Pond sync log); Duration read Convert.ToInt64 as "
                        "RawDataUsage (1012)")),
                Source(POND_USAGE, 'PondUsageReportReader.cs', 145,
                       ('bulk-copy column (mapped by name, AutoMapColumns) [name via constant '
                        'CommonColumnNames.CloseTime]')),
            ),
            "ServiceProviderId": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 992,
                       ("sub-SELECT (Pond sync log); Duration read Convert.ToInt64 as "
                        "RawDataUsage (1012)")),
                Source(POND_USAGE, 'PondUsageReportReader.cs', 138,
                       ('bulk-copy column (mapped by name, AutoMapColumns) [name via constant '
                        'CommonColumnNames.ServiceProviderId]')),
            ),
            "ICCID": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 993,
                       ("sub-SELECT (Pond sync log); Duration read Convert.ToInt64 as "
                        "RawDataUsage (1012)")),
                Source(POND_USAGE, 'PondUsageReportReader.cs', 142,
                       ('bulk-copy column (mapped by name, AutoMapColumns) [name via constant '
                        'CommonColumnNames.ICCID]')),
            ),
            "Duration": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 994,
                       ("sub-SELECT (Pond sync log); Duration read Convert.ToInt64 as "
                        "RawDataUsage (1012)")),
                Source(POND_USAGE, 'PondUsageReportReader.cs', 146,
                       ('bulk-copy column (mapped by name, AutoMapColumns) [name via constant '
                        'CommonColumnNames.Duration]')),
            ),
            'Id': (
                Source(POND_USAGE, 'PondUsageReportReader.cs', 137,
                       ('bulk-copy column (mapped by name, AutoMapColumns) [name via constant '
                        'CommonColumnNames.Id]')),
            ),
            'FtpFileId': (
                Source(POND_USAGE, 'PondUsageReportReader.cs', 139,
                       ('bulk-copy column (mapped by name, AutoMapColumns) [name via constant '
                        'CommonColumnNames.FtpFileId]')),
            ),
            'FileRowNumber': (
                Source(POND_USAGE, 'PondUsageReportReader.cs', 140,
                       ('bulk-copy column (mapped by name, AutoMapColumns) [name via constant '
                        'CommonColumnNames.FileRowNumber]')),
            ),
            'CDRID': (
                Source(POND_USAGE, 'PondUsageReportReader.cs', 141,
                       ('bulk-copy column (mapped by name, AutoMapColumns) [name via constant '
                        'CommonColumnNames.CDRID]')),
            ),
            'Type': (
                Source(POND_USAGE, 'PondUsageReportReader.cs', 143,
                       ('bulk-copy column (mapped by name, AutoMapColumns) [name via constant '
                        'CommonColumnNames.Type]')),
            ),
            'ConnectTime': (
                Source(POND_USAGE, 'PondUsageReportReader.cs', 144,
                       ('bulk-copy column (mapped by name, AutoMapColumns) [name via constant '
                        'CommonColumnNames.ConnectTime]')),
            ),
            'Direction': (
                Source(POND_USAGE, 'PondUsageReportReader.cs', 147,
                       ('bulk-copy column (mapped by name, AutoMapColumns) [name via constant '
                        'CommonColumnNames.Direction]')),
            ),
            'CalledParty': (
                Source(POND_USAGE, 'PondUsageReportReader.cs', 148,
                       ('bulk-copy column (mapped by name, AutoMapColumns) [name via constant '
                        'CommonColumnNames.CalledParty]')),
            ),
            'CallingParty': (
                Source(POND_USAGE, 'PondUsageReportReader.cs', 149,
                       ('bulk-copy column (mapped by name, AutoMapColumns) [name via constant '
                        'CommonColumnNames.CallingParty]')),
            ),
            'CountryISO3': (
                Source(POND_USAGE, 'PondUsageReportReader.cs', 150,
                       ('bulk-copy column (mapped by name, AutoMapColumns) [name via constant '
                        'CommonColumnNames.CountryISO3]')),
            ),
            'CountryName': (
                Source(POND_USAGE, 'PondUsageReportReader.cs', 151,
                       ('bulk-copy column (mapped by name, AutoMapColumns) [name via constant '
                        'CommonColumnNames.CountryName]')),
            ),
            'MCC': (
                Source(POND_USAGE, 'PondUsageReportReader.cs', 152,
                       ('bulk-copy column (mapped by name, AutoMapColumns) [name via constant '
                        'CommonColumnNames.MCC]')),
            ),
            'MNC': (
                Source(POND_USAGE, 'PondUsageReportReader.cs', 153,
                       ('bulk-copy column (mapped by name, AutoMapColumns) [name via constant '
                        'CommonColumnNames.MNC]')),
            ),
            'IMSIId': (
                Source(POND_USAGE, 'PondUsageReportReader.cs', 154,
                       ('bulk-copy column (mapped by name, AutoMapColumns) [name via constant '
                        'CommonColumnNames.IMSIId]')),
            ),
            'IMSINumber': (
                Source(POND_USAGE, 'PondUsageReportReader.cs', 155,
                       ('bulk-copy column (mapped by name, AutoMapColumns) [name via constant '
                        'CommonColumnNames.IMSINumber]')),
            ),
            'DateCreated': (
                Source(POND_USAGE, 'PondUsageReportReader.cs', 156,
                       ('bulk-copy column (mapped by name, AutoMapColumns) [name via constant '
                        'CommonColumnNames.DateCreated]')),
            ),
        },
        types={
            "Duration": "long",
            "CloseTime": "DateTime",
        },
        constant_named=frozenset({
            'Id',
            'FtpFileId',
            'FileRowNumber',
            'CDRID',
            'Type',
            'ConnectTime',
            'Direction',
            'CalledParty',
            'CallingParty',
            'CountryISO3',
            'CountryName',
            'MCC',
            'MNC',
            'IMSIId',
            'IMSINumber',
            'DateCreated',
        }),
    ),
    "RevCustomer": TableEvidence(
        database=CENTRAL,
        note=("Rev.io customer (optimizer / cleanup base class helpers; not used by the "
              "cleanup flow)."),
        columns={
            "CustomerName": (
                Source(CLEANUP, "AwsFunctionBase.cs", 63,
                       ("SELECT TOP 1 ISNULL(CustomerName, RevCustomerId) ... WHERE Id = "
                        "@customerId (GetCustomerName)")),
            ),
            "RevCustomerId": (
                Source(CLEANUP, "AwsFunctionBase.cs", 63,
                       ("SELECT TOP 1 ISNULL(CustomerName, RevCustomerId) ... WHERE Id = "
                        "@customerId (GetCustomerName)")),
                Source(CUSTOMER, "AWSFunctionBase.cs", 940,
                       "SELECT RevCustomerId FROM RevCustomer rc WHERE rc.Id"),
            ),
            "Id": (
                Source(CLEANUP, "AwsFunctionBase.cs", 63,
                       ("SELECT TOP 1 ISNULL(CustomerName, RevCustomerId) ... WHERE Id = "
                        "@customerId (GetCustomerName)")),
                Source(CUSTOMER, "AWSFunctionBase.cs", 940,
                       "SELECT RevCustomerId FROM RevCustomer rc WHERE rc.Id"),
            ),
        },
        types={
            "Id": "Guid",
        },
    ),
    "ServiceProvider": TableEvidence(
        database=CENTRAL,
        note=("Carrier account. ServiceProviderCommon.GetServiceProvider "
              "(TealLambdas/ServiceProviderCommon.cs:45-81) is the version the cleanup "
              "calls: SELECT Id, Name, DisplayName, IntegrationId, TenantId, "
              "BillPeriodEndDay, BillPeriodEndHour, OptimizationStartHourLocalTime, "
              "ContinuousLastDayOptimizationStartHourLocalTime, WriteIsEnabled, "
              "RegisterCarrierServiceCallBack WHERE id = @serviceProviderId; returns null "
              "when no row. WriteIsEnabled/RegisterCarrierServiceCallBack are read with "
              "reader.GetBoolean (a NULL throws) and IntegrationId with int.Parse (a NULL "
              "throws). 'Id' in the SELECT list, 'id' in WHERE/reader. Jasper's integration "
              "id is 1 (optimizer: WHERE sp.IntegrationId = 1)."),
        columns={
            "id": (
                Source(TEAL, "ServiceProviderCommon.cs", 49, "WHERE id = @serviceProviderId"),
                Source(TEAL, "ServiceProviderCommon.cs", 61, "reader int.Parse"),
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 324,
                       "JOIN ON (history CSV)"),
            ),
            "Name": (
                Source(TEAL, "ServiceProviderCommon.cs", 49,
                       "SELECT (GetServiceProvider, called by the cleanup)"),
                Source(TEAL, "ServiceProviderCommon.cs", 63, "reader (GetServiceProvider)"),
            ),
            "DisplayName": (
                Source(TEAL, "ServiceProviderCommon.cs", 49,
                       "SELECT (GetServiceProvider, called by the cleanup)"),
                Source(TEAL, "ServiceProviderCommon.cs", 62, "reader (GetServiceProvider)"),
                Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 354,
                       "SELECT DisplayName (device-sync error email)"),
            ),
            "IntegrationId": (
                Source(TEAL, "ServiceProviderCommon.cs", 49,
                       "SELECT (GetServiceProvider, called by the cleanup)"),
                Source(TEAL, "ServiceProviderCommon.cs", 64, "reader int.Parse (NULL throws)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 2658,
                       "WHERE sp.IntegrationId = 1 (GetJasperServiceProviderId)"),
            ),
            "TenantId": (
                Source(TEAL, "ServiceProviderCommon.cs", 49,
                       "SELECT (GetServiceProvider, called by the cleanup)"),
                Source(TEAL, "ServiceProviderCommon.cs", 65, "reader, nullable int"),
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 325,
                       "JOIN ON (history CSV)"),
            ),
            "BillPeriodEndDay": (
                Source(TEAL, "ServiceProviderCommon.cs", 49,
                       "SELECT (GetServiceProvider, called by the cleanup)"),
                Source(TEAL, "ServiceProviderCommon.cs", 66, "reader (GetServiceProvider)"),
            ),
            "BillPeriodEndHour": (
                Source(TEAL, "ServiceProviderCommon.cs", 49,
                       "SELECT (GetServiceProvider, called by the cleanup)"),
                Source(TEAL, "ServiceProviderCommon.cs", 67, "reader (GetServiceProvider)"),
            ),
            "OptimizationStartHourLocalTime": (
                Source(TEAL, "ServiceProviderCommon.cs", 49,
                       "SELECT (GetServiceProvider, called by the cleanup)"),
                Source(TEAL, "ServiceProviderCommon.cs", 68, "reader (GetServiceProvider)"),
            ),
            "ContinuousLastDayOptimizationStartHourLocalTime": (
                Source(TEAL, "ServiceProviderCommon.cs", 49,
                       "SELECT (GetServiceProvider, called by the cleanup)"),
                Source(TEAL, "ServiceProviderCommon.cs", 69, "reader (GetServiceProvider)"),
            ),
            "WriteIsEnabled": (
                Source(TEAL, "ServiceProviderCommon.cs", 49,
                       "SELECT (GetServiceProvider, called by the cleanup)"),
                Source(TEAL, "ServiceProviderCommon.cs", 70, "reader GetBoolean (NULL throws)"),
            ),
            "RegisterCarrierServiceCallBack": (
                Source(TEAL, "ServiceProviderCommon.cs", 49,
                       "SELECT (GetServiceProvider, called by the cleanup)"),
                Source(TEAL, "ServiceProviderCommon.cs", 71, "reader GetBoolean (NULL throws)"),
            ),
        },
        types={
            "id": "int",
            "Name": "string",
            "DisplayName": "string",
            "IntegrationId": "int",
            "TenantId": "int?",
            "BillPeriodEndDay": "int?",
            "BillPeriodEndHour": "int?",
            "OptimizationStartHourLocalTime": "int?",
            "ContinuousLastDayOptimizationStartHourLocalTime": "int?",
            "WriteIsEnabled": "bool",
            "RegisterCarrierServiceCallBack": "bool",
        },
    ),
    "ServiceProviderSetting": TableEvidence(
        database=CENTRAL,
        note=("Key/value settings. General (ServiceProviderId IS NULL, IsDeleted = 0) rows "
              "give the device-sync email addresses/subject, AWS keys and the Jasper "
              "database connection string (SettingsRepository.cs:40-97). Per-provider rows "
              "(ServiceProviderId = @id) give Jasper/Telegence/eBonding settings; "
              "GetFANFilter also filters IsActive = 1 and SettingKey IN "
              "('IncludedFANs','ExcludedFANs')."),
        columns={
            "SettingKey": (
                Source(CLEANUP, "SettingsRepository.cs", 40,
                       ("SELECT ... WHERE IsDeleted = 0 AND ServiceProviderId IS NULL "
                        "(general settings)")),
                Source(CLEANUP, "SettingsRepository.cs", 413, "reader .ToString()"),
                Source(CLEANUP, "AwsFunctionBase.cs", 444, "SELECT/WHERE (GetFANFilter)"),
            ),
            "SettingValue": (
                Source(CLEANUP, "SettingsRepository.cs", 40,
                       ("SELECT ... WHERE IsDeleted = 0 AND ServiceProviderId IS NULL "
                        "(general settings)")),
                Source(CLEANUP, "SettingsRepository.cs", 414, "reader .ToString()"),
                Source(CLEANUP, "AwsFunctionBase.cs", 444, "SELECT/WHERE (GetFANFilter)"),
            ),
            "IsDeleted": (
                Source(CLEANUP, "SettingsRepository.cs", 40,
                       ("SELECT ... WHERE IsDeleted = 0 AND ServiceProviderId IS NULL "
                        "(general settings)")),
                Source(CLEANUP, "AwsFunctionBase.cs", 449, "SELECT/WHERE (GetFANFilter)"),
            ),
            "ServiceProviderId": (
                Source(CLEANUP, "SettingsRepository.cs", 40,
                       ("SELECT ... WHERE IsDeleted = 0 AND ServiceProviderId IS NULL "
                        "(general settings)")),
                Source(CLEANUP, "AwsFunctionBase.cs", 446, "SELECT/WHERE (GetFANFilter)"),
            ),
            "IsActive": (
                Source(CLEANUP, "AwsFunctionBase.cs", 449, "SELECT/WHERE (GetFANFilter)"),
            ),
        },
        types={
            "SettingKey": "string",
            "SettingValue": "string",
        },
    ),
    "Site": TableEvidence(
        database=CENTRAL,
        note=("Optimizer table, read/written on the optimizer's context.ConnectionString "
              "(central, see report). AMOP customer. Portal EF also shows "
              "CustomerBillPeriodEndDay/Hour."),
        columns={
            "id": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1568,
                       "SELECT TOP 1 id, Name FROM [Site] WHERE id"),
            ),
            "Name": (
                Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1568,
                       "SELECT TOP 1 id, Name FROM [Site] WHERE id"),
            ),
            "CustomerBillPeriodEndDay": (
                Source(CUSTOMER, "OptimizationApiController.cs", 181, "EF property (portal)"),
            ),
            "CustomerBillPeriodEndHour": (
                Source(CUSTOMER, "OptimizationApiController.cs", 181, "EF property (portal)"),
            ),
        },
    ),
    'TealDevice': TableEvidence(
        database=CENTRAL,
        note=('Teal carrier device table, central DB. Keyed for the sync by EID among rows '
              'with IsActive = 1, NOT by (ServiceProviderId, EID). Matched rows are updated '
              'whatever their provider, and BillMonth/BillYear/NextBillCycleDate are stamped '
              "from the Lambda's billing period. New rows are inserted only for "
              '@ServiceProviderId. Devices of @ServiceProviderId absent from staging get '
              "DeviceStatusId 67 / DeviceStatus 'Unknown' (not deleted). Evidence: the full "
              "body kept in a Pond repo's 'Stored Procedures.cs' (two identical copies, "
              "lines 1-229 and 229-457). TealLambdas' AltaworxTealAWSGetDevices.cs:377 calls "
              'it by constant.'),
        sources=(
            Source(POND_STATUS, 'Stored Procedures.cs', 30,
                   'MERGE [dbo].[TealDevice] AS TARGET'),
            Source(POND_STATUS, 'Stored Procedures.cs', 221,
                   'FROM [dbo].[TealDevice] (audit pivot)'),
        ),
        columns={
            'EID': (
                Source(POND_STATUS, 'Stored Procedures.cs', 83,
                       ('MERGE ... ON [TARGET].[EID] = [SOURCE].[EID] AND [TARGET].[IsActive] = 1 '
                        '(body of usp_Teal_Update_Device_From_Staging)')),
            ),
            'IMEI': (
                Source(POND_STATUS, 'Stored Procedures.cs', 88,
                       'MERGE WHEN MATCHED UPDATE SET (body of usp_Teal_Update_Device_From_Staging)'),
            ),
            'MSISDN': (
                Source(POND_STATUS, 'Stored Procedures.cs', 89,
                       'MERGE WHEN MATCHED UPDATE SET (body of usp_Teal_Update_Device_From_Staging)'),
            ),
            'ICCID': (
                Source(POND_STATUS, 'Stored Procedures.cs', 90,
                       'MERGE WHEN MATCHED UPDATE SET (body of usp_Teal_Update_Device_From_Staging)'),
            ),
            'PlanName': (
                Source(POND_STATUS, 'Stored Procedures.cs', 91,
                       'MERGE WHEN MATCHED UPDATE SET (body of usp_Teal_Update_Device_From_Staging)'),
            ),
            'PlanUuid': (
                Source(POND_STATUS, 'Stored Procedures.cs', 92,
                       'MERGE WHEN MATCHED UPDATE SET (body of usp_Teal_Update_Device_From_Staging)'),
            ),
            'PlanId': (
                Source(POND_STATUS, 'Stored Procedures.cs', 93,
                       'MERGE WHEN MATCHED UPDATE SET (body of usp_Teal_Update_Device_From_Staging)'),
            ),
            'DeviceStatus': (
                Source(POND_STATUS, 'Stored Procedures.cs', 94,
                       'MERGE WHEN MATCHED UPDATE SET (body of usp_Teal_Update_Device_From_Staging)'),
            ),
            'DeviceStatusId': (
                Source(POND_STATUS, 'Stored Procedures.cs', 95,
                       'MERGE WHEN MATCHED UPDATE SET (body of usp_Teal_Update_Device_From_Staging)'),
                Source(POND_STATUS, 'Stored Procedures.cs', 222,
                       ('INNER JOIN [dbo].[DeviceStatus] ON [TealDevice].[DeviceStatusId] = '
                        '[DeviceStatus].[id] (audit)')),
            ),
            'OldDeviceStatusId': (
                Source(POND_STATUS, 'Stored Procedures.cs', 96,
                       'MERGE WHEN MATCHED UPDATE SET (body of usp_Teal_Update_Device_From_Staging)'),
            ),
            'DeviceName': (
                Source(POND_STATUS, 'Stored Procedures.cs', 97,
                       'MERGE WHEN MATCHED UPDATE SET (body of usp_Teal_Update_Device_From_Staging)'),
            ),
            'PlanChangeStatus': (
                Source(POND_STATUS, 'Stored Procedures.cs', 98,
                       'MERGE WHEN MATCHED UPDATE SET (body of usp_Teal_Update_Device_From_Staging)'),
            ),
            'ClientId': (
                Source(POND_STATUS, 'Stored Procedures.cs', 99,
                       'MERGE WHEN MATCHED UPDATE SET (body of usp_Teal_Update_Device_From_Staging)'),
            ),
            'ClientName': (
                Source(POND_STATUS, 'Stored Procedures.cs', 100,
                       'MERGE WHEN MATCHED UPDATE SET (body of usp_Teal_Update_Device_From_Staging)'),
            ),
            'ClientTitle': (
                Source(POND_STATUS, 'Stored Procedures.cs', 101,
                       'MERGE WHEN MATCHED UPDATE SET (body of usp_Teal_Update_Device_From_Staging)'),
            ),
            'ClientUuid': (
                Source(POND_STATUS, 'Stored Procedures.cs', 102,
                       'MERGE WHEN MATCHED UPDATE SET (body of usp_Teal_Update_Device_From_Staging)'),
            ),
            'BillMonth': (
                Source(POND_STATUS, 'Stored Procedures.cs', 103,
                       'MERGE WHEN MATCHED UPDATE SET (body of usp_Teal_Update_Device_From_Staging)'),
            ),
            'BillYear': (
                Source(POND_STATUS, 'Stored Procedures.cs', 104,
                       'MERGE WHEN MATCHED UPDATE SET (body of usp_Teal_Update_Device_From_Staging)'),
            ),
            'NextBillCycleDate': (
                Source(POND_STATUS, 'Stored Procedures.cs', 105,
                       'MERGE WHEN MATCHED UPDATE SET (body of usp_Teal_Update_Device_From_Staging)'),
            ),
            'Sku': (
                Source(POND_STATUS, 'Stored Procedures.cs', 106,
                       'MERGE WHEN MATCHED UPDATE SET (body of usp_Teal_Update_Device_From_Staging)'),
            ),
            'LastActivatedDate': (
                Source(POND_STATUS, 'Stored Procedures.cs', 108,
                       'MERGE WHEN MATCHED UPDATE SET (body of usp_Teal_Update_Device_From_Staging)'),
            ),
            'IsActive': (
                Source(POND_STATUS, 'Stored Procedures.cs', 83,
                       'MERGE ON ... AND [TARGET].[IsActive] = 1'),
                Source(POND_STATUS, 'Stored Procedures.cs', 135,
                       'INSERT column (value 1)'),
            ),
            'CreatedBy': (
                Source(POND_STATUS, 'Stored Procedures.cs', 136,
                       "INSERT column (@ProcessedBy = 'usp_Teal_Update_Device')"),
            ),
            'CreatedDate': (
                Source(POND_STATUS, 'Stored Procedures.cs', 137,
                       'INSERT column (GETUTCDATE())'),
            ),
            'ServiceProviderId': (
                Source(POND_STATUS, 'Stored Procedures.cs', 138,
                       'INSERT column'),
                Source(POND_STATUS, 'Stored Procedures.cs', 168,
                       'WHEN NOT MATCHED BY SOURCE AND [TARGET].[ServiceProviderId] = @ServiceProviderId'),
            ),
            'ModifiedBy': (
                Source(POND_STATUS, 'Stored Procedures.cs', 175,
                       'NOT MATCHED BY SOURCE: UPDATE SET (Unknown)'),
            ),
            'ModifiedDate': (
                Source(POND_STATUS, 'Stored Procedures.cs', 176,
                       'NOT MATCHED BY SOURCE: UPDATE SET (Unknown)'),
            ),
        },
    ),
    'TealDeviceDetailLastSyncDate': TableEvidence(
        database=CENTRAL,
        note=('One row per usp_Teal_Update_Device_From_Staging run: GETUTCDATE(), COUNT(1) '
              'of the WHOLE TealDeviceStaging (all providers), @ServiceProviderId.'),
        columns={
            'LastSyncDate': (
                Source(POND_STATUS, 'Stored Procedures.cs', 23,
                       ('INSERT INTO [dbo].[TealDeviceDetailLastSyncDate]([LastSyncDate], '
                        '[QueueCount], [ServiceProviderId])')),
            ),
            'QueueCount': (
                Source(POND_STATUS, 'Stored Procedures.cs', 23,
                       ('INSERT INTO [dbo].[TealDeviceDetailLastSyncDate]([LastSyncDate], '
                        '[QueueCount], [ServiceProviderId])')),
            ),
            'ServiceProviderId': (
                Source(POND_STATUS, 'Stored Procedures.cs', 23,
                       ('INSERT INTO [dbo].[TealDeviceDetailLastSyncDate]([LastSyncDate], '
                        '[QueueCount], [ServiceProviderId])')),
            ),
        },
    ),
    'TealDeviceSMSUsageStaging': TableEvidence(
        database=CENTRAL,
        note=('Named only in the body of usp_Teal_Truncate_Device_And_Usage_Staging. No '
              'column is shown.'),
        sources=(
            Source(POND_STATUS, 'Stored Procedures.cs', 469,
                   'TRUNCATE TABLE[dbo].[TealDeviceSMSUsageStaging]'),
        ),
        columns={
        },
    ),
    "TealDeviceStaging": TableEvidence(
        database=CENTRAL,
        name_known=True,  # round 2: literal name seen (see note)
        note=(("Name known only as DatabaseTableNames.TealDeviceStaging. Bulk-copied by "
              "ordinal (no mappings) on the central DB. Column names are CommonColumnNames "
              "constants (literal text not visible). Note the IMEI column is filled with "
              "device.IMSI (AltaworxTealAWSGetDevices.cs:332).")
              + (' Round 2: the literal name [dbo].[TealDeviceStaging] appears in the body of '
                 'usp_Teal_Update_Device_From_Staging and '
                 'usp_Teal_Truncate_Device_And_Usage_Staging '
                 '(pond-AltaworxPondProcessStagedDeviceStatus/Stored Procedures.cs:75, 466). '
                 'The MERGE source reads the columns below, keeps the newest row per EID '
                 '(ROW_NUMBER by CreatedDate DESC), and needs ICCID NOT NULL and a DeviceStatus '
                 'text known for IntegrationId 12. Rows with an unknown status text are dropped '
                 'by the WHERE on the LEFT JOINed DeviceStatus. It also selects an unqualified '
                 '[CreatedBy] (line 73) that is not among the 27 bulk-copied columns. So either '
                 'DeviceStatus has CreatedBy, or the staging has a 28th column; not resolved.')),
        sources=(
            Source(TEAL, "AltaworxTealAWSGetDevices.cs", 255,
                   ("SqlBulkCopy(.., CentralDbConnectionString, .., "
                    "DatabaseTableNames.TealDeviceStaging)")),
            Source(POND_STATUS, 'Stored Procedures.cs', 75,
                   'FROM [dbo].[TealDeviceStaging] (MERGE source)'),
            Source(POND_STATUS, 'Stored Procedures.cs', 466,
                   'TRUNCATE TABLE[dbo].[TealDeviceStaging]'),
            Source(POND_STATUS, 'Stored Procedures.cs', 28,
                   ('COUNT(1) FROM [dbo].[TealDeviceStaging] (whole table) into '
                    'TealDeviceDetailLastSyncDate')),
        ),
        columns={
            "Id": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 295,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.Id]")),
            ),
            "ICCID": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 296,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.ICCID]")),
                Source(POND_STATUS, 'Stored Procedures.cs', 77,
                       'WHERE [TealDeviceStaging].[ICCID] IS NOT NULL'),
            ),
            "IMSI": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 297,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.IMSI]")),
            ),
            "IMEI": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 298,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.IMEI]")),
                Source(POND_STATUS, 'Stored Procedures.cs', 56,
                       'MERGE source SELECT'),
            ),
            "MSISDN": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 299,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.MSISDN]")),
                Source(POND_STATUS, 'Stored Procedures.cs', 57,
                       'MERGE source SELECT'),
            ),
            "EID": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 300,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.EID]")),
                Source(POND_STATUS, 'Stored Procedures.cs', 62,
                       'ROW_NUMBER() OVER(PARTITION BY [EID] ...)'),
            ),
            "DeviceStatus": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 301,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.DeviceStatus]")),
                Source(POND_STATUS, 'Stored Procedures.cs', 76,
                       'LOWER([TealDeviceStaging].[DeviceStatus]) = LOWER([DeviceStatus].[Status])'),
            ),
            "PlanId": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 302,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.PlanId]")),
                Source(POND_STATUS, 'Stored Procedures.cs', 61,
                       'MERGE source SELECT'),
            ),
            "PlanUuid": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 303,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.PlanUuid]")),
                Source(POND_STATUS, 'Stored Procedures.cs', 60,
                       'MERGE source SELECT'),
            ),
            "PlanName": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 304,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.PlanName]")),
                Source(POND_STATUS, 'Stored Procedures.cs', 59,
                       'MERGE source SELECT'),
            ),
            "PlanVolumeUnit": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 305,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.PlanVolumeUnit]")),
            ),
            "PlanPrice": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 306,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.PlanPrice]")),
            ),
            "Suspended": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 307,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.Suspended]")),
            ),
            "DeviceName": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 308,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.DeviceName]")),
                Source(POND_STATUS, 'Stored Procedures.cs', 65,
                       'MERGE source SELECT'),
            ),
            "PlanChangeStatus": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 309,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.PlanChangeStatus]")),
                Source(POND_STATUS, 'Stored Procedures.cs', 66,
                       'MERGE source SELECT'),
            ),
            "ClientId": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 310,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.ClientId]")),
                Source(POND_STATUS, 'Stored Procedures.cs', 67,
                       'MERGE source SELECT'),
            ),
            "ClientName": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 311,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.ClientName]")),
                Source(POND_STATUS, 'Stored Procedures.cs', 68,
                       'MERGE source SELECT'),
            ),
            "ClientTitle": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 312,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.ClientTitle]")),
                Source(POND_STATUS, 'Stored Procedures.cs', 69,
                       'MERGE source SELECT'),
            ),
            "ClientUuid": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 313,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.ClientUuid]")),
                Source(POND_STATUS, 'Stored Procedures.cs', 70,
                       'MERGE source SELECT'),
            ),
            "Sku": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 314,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.Sku]")),
                Source(POND_STATUS, 'Stored Procedures.cs', 71,
                       'MERGE source SELECT'),
            ),
            "BatchNumber": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 315,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.BatchNumber]")),
            ),
            "DeviceGroupName": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 316,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.DeviceGroupName]")),
            ),
            "ClientChangeTimestamp": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 317,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.ClientChangeTimestamp]")),
            ),
            "ProfileChangeStatus": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 318,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.ProfileChangeStatus]")),
            ),
            "FlowType": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 319,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.FlowType]")),
            ),
            "ServiceProviderId": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 320,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.ServiceProviderId]")),
                Source(POND_STATUS, 'Stored Procedures.cs', 72,
                       'MERGE source SELECT'),
            ),
            "CreatedDate": (
                Source(TEAL, "AltaworxTealAWSGetDevices.cs", 321,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.CreatedDate]")),
                Source(POND_STATUS, 'Stored Procedures.cs', 74,
                       'TealDeviceStaging.[CreatedDate]'),
            ),
            'CreatedBy': (
                Source(POND_STATUS, 'Stored Procedures.cs', 73,
                       ('MERGE source SELECT [CreatedBy] UNQUALIFIED (FROM TealDeviceStaging LEFT JOIN '
                        'DeviceStatus): owner not certain')),
            ),
        },
        constant_named=frozenset({
            "BatchNumber", "ClientChangeTimestamp", "ClientId", "ClientName", "ClientTitle",
            "ClientUuid", "CreatedDate", "DeviceGroupName", "DeviceName", "DeviceStatus", "EID",
            "FlowType", "ICCID", "IMEI", "IMSI", "Id", "MSISDN", "PlanChangeStatus", "PlanId",
            "PlanName", "PlanPrice", "PlanUuid", "PlanVolumeUnit", "ProfileChangeStatus",
            "ServiceProviderId", "Sku", "Suspended",
        }),
    ),
    'TealDeviceSyncAudit': TableEvidence(
        database=CENTRAL,
        note=('Written by usp_Teal_Update_Device_From_Staging with the pivot counts of '
              'statuses ACTIVATED (ActiveCount) and DEACTIVATED (SuspendCount). The column '
              'list says BillYear, BillMonth, but the values are @BillingMonth, @BillingYear '
              '(lines 212-213): the month goes into BillYear and the year into BillMonth.'),
        columns={
            'LastSyncDate': (
                Source(POND_STATUS, 'Stored Procedures.cs', 194,
                       'INSERT INTO [dbo].[TealDeviceSyncAudit] column list'),
            ),
            'ActiveCount': (
                Source(POND_STATUS, 'Stored Procedures.cs', 195,
                       'INSERT INTO [dbo].[TealDeviceSyncAudit] column list'),
            ),
            'SuspendCount': (
                Source(POND_STATUS, 'Stored Procedures.cs', 196,
                       'INSERT INTO [dbo].[TealDeviceSyncAudit] column list'),
            ),
            'CreatedBy': (
                Source(POND_STATUS, 'Stored Procedures.cs', 197,
                       'INSERT INTO [dbo].[TealDeviceSyncAudit] column list'),
            ),
            'CreatedDate': (
                Source(POND_STATUS, 'Stored Procedures.cs', 198,
                       'INSERT INTO [dbo].[TealDeviceSyncAudit] column list'),
            ),
            'IsActive': (
                Source(POND_STATUS, 'Stored Procedures.cs', 199,
                       'INSERT INTO [dbo].[TealDeviceSyncAudit] column list'),
            ),
            'IsDeleted': (
                Source(POND_STATUS, 'Stored Procedures.cs', 200,
                       'INSERT INTO [dbo].[TealDeviceSyncAudit] column list'),
            ),
            'BillYear': (
                Source(POND_STATUS, 'Stored Procedures.cs', 201,
                       'INSERT INTO [dbo].[TealDeviceSyncAudit] column list'),
            ),
            'BillMonth': (
                Source(POND_STATUS, 'Stored Procedures.cs', 202,
                       'INSERT INTO [dbo].[TealDeviceSyncAudit] column list'),
            ),
            'ServiceProviderId': (
                Source(POND_STATUS, 'Stored Procedures.cs', 203,
                       'INSERT INTO [dbo].[TealDeviceSyncAudit] column list'),
            ),
        },
    ),
    "TealDeviceUsageDailyStaging": TableEvidence(
        database=CENTRAL,
        note=("Teal usage staging. Cleanup: joined to Device on EID only (no "
              "ServiceProviderId filter on the usage side). Teal usage Lambda bulk-copies it "
              "by ordinal (no column mappings) via "
              "DatabaseTableNames.TealDeviceUsageDailyStaging with DataTable columns named "
              "by CommonColumnNames constants; it copies the billing-period totals "
              "(deviceDataUsage), not the daily ones, with CreatedDate = yesterday midnight "
              "(AltaworxTealAWSGetDeviceUsage.cs:146)."),
        sources=(
            Source(POND_STATUS, 'Stored Procedures.cs', 468,
                   'TRUNCATE TABLE[dbo].[TealDeviceUsageDailyStaging] (truncate proc body)'),
        ),
        columns={
            "Usage": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 949,
                       "SELECT AS RawDataUsage/UsageDate, INNER JOIN ON [Device].[EID] = .."),
                Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 226,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.Usage]")),
            ),
            "CreatedDate": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 951,
                       "SELECT AS RawDataUsage/UsageDate, INNER JOIN ON [Device].[EID] = .."),
                Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 230,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.CreatedDate]")),
            ),
            "EID": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 959,
                       "SELECT AS RawDataUsage/UsageDate, INNER JOIN ON [Device].[EID] = .."),
                Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 222,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.EID]")),
            ),
            "Id": (
                Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 221,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.Id]")),
            ),
            "OperationalImsi": (
                Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 223,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.OperationalImsi]")),
            ),
            "Type": (
                Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 224,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.Type]")),
            ),
            "Period": (
                Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 225,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.Period]")),
            ),
            "MccMnc": (
                Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 227,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.MccMnc]")),
            ),
            "Pmn": (
                Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 228,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.Pmn]")),
            ),
            "ServiceProviderId": (
                Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 229,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.ServiceProviderId]")),
            ),
        },
        types={
            "Usage": "long",
            "CreatedDate": "DateTime",
        },
        constant_named=frozenset({
            "Id", "MccMnc", "OperationalImsi", "Period", "Pmn", "ServiceProviderId", "Type",
        }),
    ),
    "TealDeviceUsageStaging": TableEvidence(
        database=CENTRAL,
        name_known=True,  # round 2: literal name seen (see note)
        note=(("Name known only as DatabaseTableNames.TealDeviceUsageStaging. Same DataTable "
              "(ordinal bulk copy) as TealDeviceUsageDailyStaging, CreatedDate = "
              "DateTime.Now.")
              + (' Round 2: literal name in the body of '
                 'usp_Teal_Truncate_Device_And_Usage_Staging '
                 '(pond-AltaworxPondProcessStagedDeviceStatus/Stored Procedures.cs:467).')),
        sources=(
            Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 125,
                   "CopyDataToTable(.., DatabaseTableNames.TealDeviceUsageStaging, DateTime.Now)"),
            Source(POND_STATUS, 'Stored Procedures.cs', 467,
                   'TRUNCATE TABLE[dbo].[TealDeviceUsageStaging]'),
        ),
        columns={
            "Id": (
                Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 221,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.Id]")),
            ),
            "EID": (
                Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 222,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.EID]")),
            ),
            "OperationalImsi": (
                Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 223,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.OperationalImsi]")),
            ),
            "Type": (
                Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 224,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.Type]")),
            ),
            "Period": (
                Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 225,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.Period]")),
            ),
            "Usage": (
                Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 226,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.Usage]")),
            ),
            "MccMnc": (
                Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 227,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.MccMnc]")),
            ),
            "Pmn": (
                Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 228,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.Pmn]")),
            ),
            "ServiceProviderId": (
                Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 229,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.ServiceProviderId]")),
            ),
            "CreatedDate": (
                Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 230,
                       ("bulk-copy DataTable column (by ordinal) [name via constant "
                        "CommonColumnNames.CreatedDate]")),
            ),
        },
        constant_named=frozenset({
            "CreatedDate", "EID", "Id", "MccMnc", "OperationalImsi", "Period", "Pmn",
            "ServiceProviderId", "Type", "Usage",
        }),
    ),
    'TelegenceAllUsageStaging': TableEvidence(
        database=CENTRAL,
        note=('Premier daily usage staging. It is bulk-copied from '
              'PremierUnbilledUsageReportReader (not in the repo) with no mappings, so no '
              'column is shown.'),
        sources=(
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 287,
                   'SqlBulkCopy(.., usage, "TelegenceAllUsageStaging")'),
        ),
        columns={
        },
    ),
    "TelegenceDevice": TableEvidence(
        database=CENTRAL,
        note=(("Telegence carrier device table; joined to MobilityDevice on MSISDN = "
              "SubscriberNumber (Telegence sync log). SMSCount and MinutesUsed are the raw "
              "SMS/voice usage.")
              + (' Round 2: full MERGE of usp_Telegence_Update_Device (Telegence_Carrier). '
                 'MERGE ON SubscriberNumber ONLY (not per provider): a matched row is updated '
                 'whatever its provider, and ServiceProviderId is overwritten. Inserted only '
                 'when SOURCE.ServiceProviderId = @ServiceProviderId. Devices of the provider '
                 'absent from staging get FailedSyncCount + 1 (while <= 3). After that they get '
                 "DeviceStatusId Unknown, SubscriberNumberStatus 'Unknown' and FailedSyncCount "
                 'NULL. None is deleted.')),
        columns={
            "CtdDataUsage": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 901,
                       "SELECT AS Raw* / LEFT JOIN ON (Telegence sync log)"),
            ),
            "SMSCount": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 903,
                       "SELECT AS Raw* / LEFT JOIN ON (Telegence sync log)"),
            ),
            "MinutesUsed": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 905,
                       "SELECT AS Raw* / LEFT JOIN ON (Telegence sync log)"),
            ),
            "SubscriberNumber": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 911,
                       "SELECT AS Raw* / LEFT JOIN ON (Telegence sync log)"),
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 57,
                       'MERGE ON TARGET.SubscriberNumber = SOURCE.SubscriberNumber'),
                Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1936,
                       'LEFT JOIN MobilityDevice md on md.MSISDN = td.SubscriberNumber'),
            ),
            "ServiceProviderId": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 911,
                       "SELECT AS Raw* / LEFT JOIN ON (Telegence sync log)"),
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 69,
                       'MERGE UPDATE SET TARGET.[ServiceProviderId] = SOURCE.[ServiceProviderId]'),
                Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1937,
                       'WHERE td.ServiceProviderId = @ServiceProviderId'),
            ),
            'OldDeviceStatusId': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 62,
                       'MERGE UPDATE SET'),
            ),
            'DeviceStatusId': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 63,
                       'MERGE UPDATE SET'),
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 172,
                       'INNER JOIN DeviceStatus st ON tDev.DeviceStatusId = st.id'),
            ),
            'FoundationAccountNumber': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 64,
                       'MERGE UPDATE SET'),
                Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1934,
                       'SELECT DISTINCT td.FoundationAccountNumber FROM TelegenceDevice td'),
            ),
            'BillingAccountNumber': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 65,
                       'MERGE UPDATE SET'),
                Source(BULK_CHANGE, 'ProcessNewServiceActivationStatus.cs', 882,
                       ('SELECT DISTINCT(BillingAccountNumber), FoundationAccountNumber FROM '
                        '[dbo].[TelegenceDevice]')),
            ),
            'RefreshTimestamp': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 66,
                       'MERGE UPDATE SET'),
            ),
            'ModifiedBy': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 67,
                       "MERGE UPDATE SET (= 'usp_Telegence_Update_Device')"),
            ),
            'ModifiedDate': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 68,
                       'MERGE UPDATE SET (= staging CreatedDate)'),
            ),
            'SubscriberNumberStatus': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 70,
                       "MERGE UPDATE SET; 'Unknown' after > 3 failed syncs (130)"),
            ),
            'BanStatus': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 71,
                       'MERGE UPDATE SET'),
            ),
            'ContractStatus': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 72,
                       'MERGE UPDATE SET (from TelegenceDeviceContractStatusStaging)'),
            ),
            'FailedSyncCount': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 73,
                       'MERGE UPDATE SET NULL (reset)'),
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 120,
                       'SET [FailedSyncCount] = COALESCE([FailedSyncCount], 0) + 1 for absent devices'),
            ),
            'LastActivatedDate': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 75,
                       'MERGE UPDATE SET (GETUTCDATE() when leaving Activated)'),
            ),
            'CreatedBy': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 94,
                       'MERGE INSERT column'),
            ),
            'CreatedDate': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 95,
                       'MERGE INSERT column'),
            ),
            'IsActive': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 96,
                       'MERGE INSERT column (1)'),
                Source(BULK_CHANGE, 'ProcessNewServiceActivationStatus.cs', 608,
                       'WHERE ... IsActive = 1 AND IsDeleted = 0'),
            ),
            'IsDeleted': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 97,
                       'MERGE INSERT column (0)'),
                Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1938,
                       'AND td.IsDeleted = 0'),
            ),
            'Id': (
                Source(BULK_CHANGE, 'ProcessNewServiceActivationStatus.cs', 608,
                       'SELECT Top 1 Id FROM TelegenceDevice WHERE SubscriberNumber = ...'),
            ),
            'ICCID': (
                Source(MOBILITY_CTRL, 'MobilityController.cs', 2519,
                       'EF (portal): TelegenceDevices.FirstOrDefault(x => x.ICCID == iccid)'),
            ),
        },
        types={
            "CtdDataUsage": "long",
            "SMSCount": "long",
            "MinutesUsed": "long",
        },
    ),
    'TelegenceDeviceBillingNumberAccountStatusStaging': TableEvidence(
        database=CENTRAL,
        note=('BAN status staging of the Telegence device sync. Bulk-copied by ordinal (Id '
              'null) and read back WHERE BillingAccountNumber IS NOT NULL. Truncated with '
              'usp_Telegence_Truncate_BillingAccountNumberStatusStaging at the first '
              'provider.'),
        sources=(
            Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 435,
                   'SqlBulkCopy(.., "TelegenceDeviceBillingNumberAccountStatusStaging")'),
        ),
        columns={
            'Id': (
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 422,
                       'bulk-copy column #0 (by ordinal)'),
            ),
            'BillingAccountNumber': (
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 423,
                       'bulk-copy column #1'),
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 398,
                       ('SELECT BillingAccountNumber, Status, ServiceProviderId FROM ... WHERE '
                        'BillingAccountNumber IS NOT NULL')),
            ),
            'Status': (
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 424,
                       'bulk-copy column #2'),
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 398,
                       'SELECT'),
            ),
            'ServiceProviderId': (
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 425,
                       'bulk-copy column #3'),
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 398,
                       'SELECT'),
            ),
        },
    ),
    'TelegenceDeviceContractStatusStaging': TableEvidence(
        database=CENTRAL,
        note=('LEFT JOINed by usp_Telegence_Update_Device for ContractStatus. Who fills it '
              'is not shown.'),
        columns={
            'SubscriberNumber': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 51,
                       'LEFT JOIN ... cs ON tdes.[SubscriberNumber] = cs.[SubscriberNumber]'),
            ),
            'ContractStatus': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 48,
                       'cs.ContractStatus (MERGE source)'),
            ),
        },
    ),
    "TelegenceDeviceDetailIdsToProcess": TableEvidence(
        database=CENTRAL,
        note=(("Telegence 'rows to process'; counted WHERE IsDeleted = 0 but DELETEd "
              "whole-table. Outside the four repos "
              "(AltaworxTelegenceAWSGetDeviceDetails.cs:232) it also has SubscriberNumber, "
              "ServiceProviderId, GroupNumber.")
              + (' Round 2: filled by usp_Telegence_Devices_GetDetailFilter(@BatchSize) '
                 '(grouped by GroupNumber). Rows are soft-deleted (IsDeleted = 1) once staged '
                 'or on API failure; the cleanup later DELETEs the whole table.')),
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 599,
                   "DELETE FROM (whole table, ignores IsDeleted)"),
        ),
        columns={
            "IsDeleted": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 643,
                       "COUNT(1) ... where IsDeleted = 0"),
                Source(TELEGENCE_DETAILS, 'AltaworxTelegenceAWSGetDeviceDetails.cs', 346,
                       'UPDATE SET [IsDeleted] = 1 (staged rows)'),
            ),
            'SubscriberNumber': (
                Source(TELEGENCE_DETAILS, 'AltaworxTelegenceAWSGetDeviceDetails.cs', 232,
                       ('SELECT TOP n [SubscriberNumber], [ServiceProviderId] ... WHERE GroupNumber = '
                        '@GroupNumber AND [IsDeleted] = 0')),
                Source(TELEGENCE_DETAILS, 'AltaworxTelegenceAWSGetDeviceDetails.cs', 376,
                       ('UPDATE SET [IsDeleted] = 1 WHERE GroupNumber = @GroupNumber AND '
                        'SubscriberNumber = @SubscriberNumber')),
            ),
            'ServiceProviderId': (
                Source(TELEGENCE_DETAILS, 'AltaworxTelegenceAWSGetDeviceDetails.cs', 232,
                       'SELECT (read int.Parse, 249)'),
            ),
            'GroupNumber': (
                Source(TELEGENCE_DETAILS, 'AltaworxTelegenceAWSGetDeviceDetails.cs', 153,
                       'SELECT MAX(GroupNumber) ... WHERE IsDeleted = 0 (cast (int))'),
                Source(TELEGENCE_DETAILS, 'AltaworxTelegenceAWSGetDeviceDetails.cs', 347,
                       'UPDATE ... WHERE GroupNumber = @GroupNumber'),
            ),
        },
        types={
            'GroupNumber': 'int',
        },
    ),
    'TelegenceDeviceDetailStaging': TableEvidence(
        database=CENTRAL,
        note=('Telegence detail staging, central DB. AltaworxTelegenceAWSGetDeviceDetails '
              'fills it per group of subscriber numbers. It bulk-copies a 19-column '
              'DataTable named after the table, by ordinal. Id is typeof(int) and left null. '
              'After each copy the matching rows of TelegenceDeviceDetailIdsToProcess are '
              'set IsDeleted = 1. usp_Telegence_Update_Device reads NextBillCycleDate from '
              "it for the audit's BillMonth/BillYear."),
        sources=(
            Source(TELEGENCE_DETAILS, 'TelegenceDeviceDetailSyncTable.cs', 15,
                   'new DataTable("TelegenceDeviceDetailStaging")'),
            Source(TELEGENCE_DETAILS, 'AltaworxTelegenceAWSGetDeviceDetails.cs', 325,
                   'SqlBulkCopy(.., table.DataTable.TableName), central'),
        ),
        columns={
            'Id': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceDetailSyncTable.cs', 75,
                       'bulk-copy DataTable column #0 (by ordinal)'),
            ),
            'ServiceProviderId': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceDetailSyncTable.cs', 76,
                       'bulk-copy DataTable column #1 (by ordinal)'),
            ),
            'SubscriberNumber': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceDetailSyncTable.cs', 77,
                       'bulk-copy DataTable column #2 (by ordinal)'),
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 173,
                       'JOIN ON tDev.SubscriberNumber = tDevDet.SubscriberNumber (audit)'),
                Source(TELEGENCE_DETAILS, 'AltaworxTelegenceAWSGetDeviceDetails.cs', 348,
                       'IN (SELECT SubscriberNumber FROM [dbo].[TelegenceDeviceDetailStaging])'),
            ),
            'SubscriberActivatedDate': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceDetailSyncTable.cs', 78,
                       'bulk-copy DataTable column #3 (by ordinal)'),
            ),
            'SingleUserCode': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceDetailSyncTable.cs', 79,
                       'bulk-copy DataTable column #4 (by ordinal)'),
            ),
            'SingleUserCodeDescription': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceDetailSyncTable.cs', 80,
                       'bulk-copy DataTable column #5 (by ordinal)'),
            ),
            'ServiceZipCode': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceDetailSyncTable.cs', 81,
                       'bulk-copy DataTable column #6 (by ordinal)'),
            ),
            'NextBillCycleDate': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceDetailSyncTable.cs', 82,
                       'bulk-copy DataTable column #7 (by ordinal)'),
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 166,
                       'MONTH(MAX(tDevDet.NextBillCycleDate)) AS BillMonth'),
            ),
            'ICCID': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceDetailSyncTable.cs', 83,
                       'bulk-copy DataTable column #8 (by ordinal)'),
            ),
            'IMEI': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceDetailSyncTable.cs', 84,
                       'bulk-copy DataTable column #9 (by ordinal)'),
            ),
            'CreatedDate': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceDetailSyncTable.cs', 85,
                       'bulk-copy DataTable column #10 (by ordinal)'),
            ),
            'DeviceMake': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceDetailSyncTable.cs', 86,
                       'bulk-copy DataTable column #11 (by ordinal)'),
            ),
            'DeviceModel': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceDetailSyncTable.cs', 87,
                       'bulk-copy DataTable column #12 (by ordinal)'),
            ),
            'IMEIType': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceDetailSyncTable.cs', 88,
                       'bulk-copy DataTable column #13 (by ordinal)'),
            ),
            'DataGroupId': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceDetailSyncTable.cs', 89,
                       'bulk-copy DataTable column #14 (by ordinal)'),
            ),
            'ContactName': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceDetailSyncTable.cs', 90,
                       'bulk-copy DataTable column #15 (by ordinal)'),
            ),
            'DeviceTechnologyType': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceDetailSyncTable.cs', 91,
                       'bulk-copy DataTable column #16 (by ordinal)'),
            ),
            'IPAddress': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceDetailSyncTable.cs', 92,
                       'bulk-copy DataTable column #17 (by ordinal)'),
            ),
            'statusEffectiveDate': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceDetailSyncTable.cs', 93,
                       'bulk-copy DataTable column #18 (by ordinal)'),
            ),
        },
        types={
            'Id': 'int',
        },
    ),
    'TelegenceDeviceFinalUsageStaging': TableEvidence(
        database=CENTRAL,
        note=('Final (billed) usage staging. It is bulk-copied without mappings from '
              'PremierFinalUsageReportReader (not in the repo). No column is shown.'),
        sources=(
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 417,
                   'SqlBulkCopy(.., finalUsage, "TelegenceDeviceFinalUsageStaging")'),
        ),
        columns={
        },
    ),
    'TelegenceDeviceMobilityFeature_Staging': TableEvidence(
        database=CENTRAL,
        note=('Telegence feature (offering code) staging. The detail Lambda TRUNCATEs it at '
              'start of a daily run, then bulk-copies (SubscriberNumber, OfferingCode) by '
              'ordinal. OfferingCode is cut to 50 chars (line 30). The cleanup runs '
              'usp_Update_TelegenceDeviceMobilityFeature_FromStaging (no parameters) over it.'),
        sources=(
            Source(TELEGENCE_DETAILS, 'TelegenceDeviceFeatureSyncTable.cs', 12,
                   'new DataTable("TelegenceDeviceMobilityFeature_Staging")'),
            Source(TELEGENCE_DETAILS, 'AltaworxTelegenceAWSGetDeviceDetails.cs', 402,
                   'TRUNCATE TABLE [dbo].[TelegenceDeviceMobilityFeature_Staging]'),
            Source(TELEGENCE_DETAILS, 'AltaworxTelegenceAWSGetDeviceDetails.cs', 335,
                   'SqlBulkCopy(.., featureStagingTable.DataTable.TableName)'),
        ),
        columns={
            'SubscriberNumber': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceFeatureSyncTable.cs', 37,
                       'bulk-copy column #0 (by ordinal)'),
            ),
            'OfferingCode': (
                Source(TELEGENCE_DETAILS, 'TelegenceDeviceFeatureSyncTable.cs', 38,
                       'bulk-copy column #1 (by ordinal); value cut to 50 chars (line 30)'),
            ),
        },
    ),
    'TelegenceDeviceNotExistsStagingToProcess': TableEvidence(
        database=CENTRAL,
        note=('Filled by usp_GetTelegenDevice_NotExists_Stagging(@BatchSize) with devices '
              'known to AMOP but missing from the API list (status != Unknown, per the code '
              'comment at 507). Each is re-checked one by one; changed ones are added to '
              'TelegenceDeviceStaging.'),
        columns={
            'GroupNumber': (
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 776,
                       'SELECT MAX(GroupNumber) FROM [dbo].[TelegenceDeviceNotExistsStagingToProcess]'),
            ),
        },
    ),
    "TelegenceDeviceStaging": TableEvidence(
        database=CENTRAL,
        note=(("Telegence staging; the cleanup only counts it (whole table) to decide whether "
              "to run usp_Telegence_Update_Device. No column shown.")
              + (' Round 2 (TelegenceAWSGetDevices, Telegence_Carrier): the device sync '
                 'bulk-copies 9 columns by ordinal (Id null, ServiceProviderId, '
                 'FoundationAccountNumber, BillingAccountNumber, SubscriberNumber, '
                 'SubscriberNumberStatus, RefreshTimestamp, CreatedDate, BanStatus). It is '
                 'filled for ALL Telegence providers in one run and truncated only at the first '
                 'provider (usp_Telegence_Truncate_DeviceAndUsageStaging, timeout 9000). '
                 'usp_Telegence_Update_Device keeps the newest row per SubscriberNumber '
                 '(ROW_NUMBER by CreatedDate DESC).')),
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 701,
                   "SELECT COUNT(1) AS [RowCount] (whole table), central (700)"),
            Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 666,
                   'SqlBulkCopy(.., table, "TelegenceDeviceStaging") (re-checked devices)'),
            Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 572,
                   'SqlBulkCopy(.., DatabaseTableNames.TELEGENCE_DEVICE_STAGING) (API pages)'),
            Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 49,
                   'FROM [dbo].[TelegenceDeviceStaging] tdes (MERGE source)'),
        ),
        columns={
            'Id': (
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 604,
                       ('bulk-copy DataTable column #0 (by ordinal; same order as the '
                        'CommonColumnNames list at 555)')),
            ),
            'ServiceProviderId': (
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 605,
                       ('bulk-copy DataTable column #1 (by ordinal; same order as the '
                        'CommonColumnNames list at 556)')),
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 830,
                       'AddToDataRow value'),
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 45,
                       'read by usp_Telegence_Update_Device (MERGE source, alias tdes)'),
            ),
            'FoundationAccountNumber': (
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 606,
                       ('bulk-copy DataTable column #2 (by ordinal; same order as the '
                        'CommonColumnNames list at 557)')),
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 831,
                       'AddToDataRow value'),
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 38,
                       'read by usp_Telegence_Update_Device (MERGE source, alias tdes) (unqualified)'),
            ),
            'BillingAccountNumber': (
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 607,
                       ('bulk-copy DataTable column #3 (by ordinal; same order as the '
                        'CommonColumnNames list at 558)')),
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 832,
                       'AddToDataRow value'),
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 39,
                       'read by usp_Telegence_Update_Device (MERGE source, alias tdes)'),
            ),
            'SubscriberNumber': (
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 608,
                       ('bulk-copy DataTable column #4 (by ordinal; same order as the '
                        'CommonColumnNames list at 559)')),
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 833,
                       'AddToDataRow value'),
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 37,
                       'read by usp_Telegence_Update_Device (MERGE source, alias tdes)'),
            ),
            'SubscriberNumberStatus': (
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 609,
                       ('bulk-copy DataTable column #5 (by ordinal; same order as the '
                        'CommonColumnNames list at 560)')),
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 837,
                       'AddToDataRow value'),
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 46,
                       'read by usp_Telegence_Update_Device (MERGE source, alias tdes)'),
            ),
            'RefreshTimestamp': (
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 610,
                       ('bulk-copy DataTable column #6 (by ordinal; same order as the '
                        'CommonColumnNames list at 561)')),
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 834,
                       'AddToDataRow value'),
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 42,
                       'read by usp_Telegence_Update_Device (MERGE source, alias tdes)'),
            ),
            'CreatedDate': (
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 611,
                       ('bulk-copy DataTable column #7 (by ordinal; same order as the '
                        'CommonColumnNames list at 562)')),
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 835,
                       'AddToDataRow value'),
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 41,
                       'read by usp_Telegence_Update_Device (MERGE source, alias tdes)'),
            ),
            'BanStatus': (
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 612,
                       ('bulk-copy DataTable column #8 (by ordinal; same order as the '
                        'CommonColumnNames list at 563)')),
                Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 836,
                       'AddToDataRow value'),
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 47,
                       'read by usp_Telegence_Update_Device (MERGE source, alias tdes)'),
            ),
        },
    ),
    'TelegenceDeviceSyncAudit': TableEvidence(
        database=CENTRAL,
        note=('Written by usp_Telegence_Update_Device: one row per run with the pivot counts '
              "of DeviceStatus 'A' (ActiveCount) and 'S' (SuspendCount) for the provider. "
              'BillMonth/BillYear come from MAX(NextBillCycleDate) of '
              'TelegenceDeviceDetailStaging joined to TelegenceDevice.'),
        columns={
            'LastSyncDate': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 140,
                       'INSERT INTO [dbo].[TelegenceDeviceSyncAudit] column list'),
            ),
            'ActiveCount': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 141,
                       'INSERT INTO [dbo].[TelegenceDeviceSyncAudit] column list'),
            ),
            'SuspendCount': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 142,
                       'INSERT INTO [dbo].[TelegenceDeviceSyncAudit] column list'),
            ),
            'CreatedBy': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 143,
                       'INSERT INTO [dbo].[TelegenceDeviceSyncAudit] column list'),
            ),
            'CreatedDate': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 144,
                       'INSERT INTO [dbo].[TelegenceDeviceSyncAudit] column list'),
            ),
            'IsActive': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 145,
                       'INSERT INTO [dbo].[TelegenceDeviceSyncAudit] column list'),
            ),
            'IsDeleted': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 146,
                       'INSERT INTO [dbo].[TelegenceDeviceSyncAudit] column list'),
            ),
            'BillYear': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 147,
                       'INSERT INTO [dbo].[TelegenceDeviceSyncAudit] column list'),
            ),
            'BillMonth': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 148,
                       'INSERT INTO [dbo].[TelegenceDeviceSyncAudit] column list'),
            ),
            'ServiceProviderId': (
                Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 149,
                       'INSERT INTO [dbo].[TelegenceDeviceSyncAudit] column list'),
            ),
        },
    ),
    'TelegenceDeviceUsageIdsToProcess': TableEvidence(
        database=CENTRAL,
        note=('Telegence usage rows to process, one per (provider, FAN) queued, central DB. '
              'The usage Lambda TRUNCATEs it at the start of a daily run and DELETEs a row '
              'after that FAN is processed.'),
        sources=(
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1619,
                   'TRUNCATE TABLE [dbo].[TelegenceDeviceUsageIdsToProcess] (ClearQueue)'),
        ),
        columns={
            'DeviceNotificationQueueURL': (
                Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1910,
                       ('INSERT INTO '
                        '...(DeviceNotificationQueueURL,ServiceProviderId,RetryCount,FoundationAccountNumber)')),
            ),
            'ServiceProviderId': (
                Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1910,
                       'INSERT'),
                Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 588,
                       ('DELETE ... WHERE ServiceProviderId = @ServiceProviderId AND '
                        'FoundationAccountNumber = @FAN')),
            ),
            'RetryCount': (
                Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1910,
                       'INSERT (value 0)'),
            ),
            'FoundationAccountNumber': (
                Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1910,
                       'INSERT (string.Empty for the MUBU row)'),
                Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 588,
                       'DELETE ... AND FoundationAccountNumber = @FAN'),
            ),
        },
    ),
    'TelegenceDeviceUsageLastSyncDate': TableEvidence(
        database=CENTRAL,
        note=('One row appended per daily usage run (InitializeSync) with GETDATE() '
              '(server-local, not UTC) and QueueCount 0.'),
        columns={
            'LastSyncDate': (
                Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1597,
                       ('insert into [dbo].[TelegenceDeviceUsageLastSyncDate](LastSyncDate, '
                        'QueueCount) SELECT GETDATE(), 0')),
            ),
            'QueueCount': (
                Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1597,
                       'insert ... QueueCount'),
            ),
        },
    ),
    'TelegenceDeviceUsageMubuStaging': TableEvidence(
        database=CENTRAL,
        note=('MUBU usage staging, bulk-copied with '
              'MubuReportReader.GetRecordColumnMapping() (by name; the reader is not in the '
              'repo). It is truncated after usp_Telegence_DeviceSync in the MUBU data-sync '
              'steps (460, 466).'),
        sources=(
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 331,
                   ('SqlBulkCopy(.., "TelegenceDeviceUsageMubuStaging", '
                    'MubuReportReader.GetRecordColumnMapping())')),
        ),
        columns={
            'FtpFileId': (
                Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1247,
                       'SELECT COUNT(*) FROM [TelegenceDeviceUsageMubuStaging] WHERE [FtpFileId] = @FileId'),
            ),
        },
    ),
    'ThingSpaceDevice': TableEvidence(
        database=CENTRAL,
        note=('ThingSpace carrier device table. '
              'usp_ThingSpace_Update_Device(@BillMonthCurrent, @BillYearCurrent, '
              '@ServiceProviderId) merges ThingSpaceDeviceStaging into it after each '
              "provider's last page. Its body is NOT public. Only a doc paraphrase exists "
              "(DeepDive.md:289-292): MERGE per ICCID; absent devices are set 'Unknown' "
              'except Inventory; Unknown is pushed to ThingSpaceDeviceUsage; an audit row '
              'goes to ThingSpaceDeviceSyncAudit. The columns below come from the '
              "bulk-change Lambda's direct SQL (BulkChange), keyed WHERE ServiceProviderId = "
              '@ServiceProviderId AND ICCID = @ICCID.'),
        sources=(
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices_DeepDive.md', 289,
                   'doc paraphrase of the unpublished usp_ThingSpace_Update_Device: MERGE target'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices_DeepDive.md', 290,
                   "doc: 'mark as Unknown if missing from staging (except Inventory status)'"),
        ),
        columns={
            'ICCID': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4891,
                       ('INSERT INTO ThingSpaceDevice(ICCID, Status, RatePlan, CreatedBy, CreatedDate, '
                        'IsActive, IsDeleted, DeviceStatusId, ServiceProviderId)')),
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4950,
                       'UPDATE ... AND ICCID = @ICCID'),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices_DeepDive.md', 289,
                       'doc paraphrase: MERGE latest rows (per ICCID) from ThingSpaceDeviceStaging'),
            ),
            'Status': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4891,
                       ('INSERT INTO ThingSpaceDevice(ICCID, Status, RatePlan, CreatedBy, CreatedDate, '
                        'IsActive, IsDeleted, DeviceStatusId, ServiceProviderId)')),
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4944,
                       'UPDATE SET Status = @status'),
            ),
            'RatePlan': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4891,
                       ('INSERT INTO ThingSpaceDevice(ICCID, Status, RatePlan, CreatedBy, CreatedDate, '
                        'IsActive, IsDeleted, DeviceStatusId, ServiceProviderId)')),
            ),
            'CreatedBy': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4891,
                       ('INSERT INTO ThingSpaceDevice(ICCID, Status, RatePlan, CreatedBy, CreatedDate, '
                        'IsActive, IsDeleted, DeviceStatusId, ServiceProviderId)')),
            ),
            'CreatedDate': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4891,
                       ('INSERT INTO ThingSpaceDevice(ICCID, Status, RatePlan, CreatedBy, CreatedDate, '
                        'IsActive, IsDeleted, DeviceStatusId, ServiceProviderId)')),
            ),
            'IsActive': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4891,
                       ('INSERT INTO ThingSpaceDevice(ICCID, Status, RatePlan, CreatedBy, CreatedDate, '
                        'IsActive, IsDeleted, DeviceStatusId, ServiceProviderId)')),
            ),
            'IsDeleted': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4891,
                       ('INSERT INTO ThingSpaceDevice(ICCID, Status, RatePlan, CreatedBy, CreatedDate, '
                        'IsActive, IsDeleted, DeviceStatusId, ServiceProviderId)')),
            ),
            'DeviceStatusId': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4891,
                       ('INSERT INTO ThingSpaceDevice(ICCID, Status, RatePlan, CreatedBy, CreatedDate, '
                        'IsActive, IsDeleted, DeviceStatusId, ServiceProviderId)')),
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4943,
                       'UPDATE SET DeviceStatusId = @deviceStatusId'),
            ),
            'ServiceProviderId': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4891,
                       ('INSERT INTO ThingSpaceDevice(ICCID, Status, RatePlan, CreatedBy, CreatedDate, '
                        'IsActive, IsDeleted, DeviceStatusId, ServiceProviderId)')),
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4949,
                       'UPDATE ... WHERE ServiceProviderId = @ServiceProviderId'),
            ),
            'IMEI': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4942,
                       ('UPDATE ThingSpaceDevice SET IMEI, DeviceStatusId, Status, ModifiedBy, '
                        'ModifiedDate, IsDeleted = 0, IsActive = 1 WHERE ServiceProviderId AND ICCID')),
            ),
            'ModifiedBy': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4945,
                       ('UPDATE ThingSpaceDevice SET IMEI, DeviceStatusId, Status, ModifiedBy, '
                        'ModifiedDate, IsDeleted = 0, IsActive = 1 WHERE ServiceProviderId AND ICCID')),
            ),
            'ModifiedDate': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4946,
                       ('UPDATE ThingSpaceDevice SET IMEI, DeviceStatusId, Status, ModifiedBy, '
                        'ModifiedDate, IsDeleted = 0, IsActive = 1 WHERE ServiceProviderId AND ICCID')),
            ),
        },
    ),
    "ThingSpaceDeviceDailyUsage": TableEvidence(
        database=CENTRAL,
        note=("ThingSpace daily usage; INNER JOINed on ICCID + ServiceProviderId WHERE "
              "CreatedDate = yesterday (midnight). Note the ThingSpace sync-log SELECT lists "
              "[Device].[MSISDN] twice and no ServiceProviderId column, so "
              "DeviceSyncSummaryLogFromReader's reader[\"ServiceProviderId\"] throws."),
        columns={
            "CtdDataUsage": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 925,
                       "SELECT AS Raw*/UsageDate, INNER JOIN ON, WHERE CreatedDate = yesterday"),
            ),
            "CtdSMSUsage": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 927,
                       "SELECT AS Raw*/UsageDate, INNER JOIN ON, WHERE CreatedDate = yesterday"),
            ),
            "CtdVoiceUsage": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 929,
                       "SELECT AS Raw*/UsageDate, INNER JOIN ON, WHERE CreatedDate = yesterday"),
            ),
            "CreatedDate": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 931,
                       "SELECT AS Raw*/UsageDate, INNER JOIN ON, WHERE CreatedDate = yesterday"),
            ),
            "ICCID": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 935,
                       "SELECT AS Raw*/UsageDate, INNER JOIN ON, WHERE CreatedDate = yesterday"),
            ),
            "ServiceProviderId": (
                Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 935,
                       "SELECT AS Raw*/UsageDate, INNER JOIN ON, WHERE CreatedDate = yesterday"),
            ),
        },
        types={
            "CtdDataUsage": "long",
            "CtdSMSUsage": "long",
            "CtdVoiceUsage": "long",
            "CreatedDate": "DateTime",
        },
    ),
    'ThingSpaceDeviceDetail': TableEvidence(
        database=CENTRAL,
        note=('ThingSpace device detail. '
              'usp_ThingSpace_Update_DeviceDetail(@ServiceProviderId) maintains it (body not '
              "public; doc paraphrase DeepDive.md:295-298). Columns are from BulkChange's "
              'direct SQL.'),
        sources=(
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices_DeepDive.md', 296,
                   "doc: 'Insert missing ThingSpaceDeviceDetail rows from staging/device join'"),
        ),
        columns={
            'ICCID': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4854,
                       ('INSERT INTO ThingSpaceDeviceDetail(ICCID, CreatedBy, CreatedDate, IsActive, '
                        'IsDeleted, AccountNumber, ThingSpaceDateAdded)')),
            ),
            'CreatedBy': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4854,
                       ('INSERT INTO ThingSpaceDeviceDetail(ICCID, CreatedBy, CreatedDate, IsActive, '
                        'IsDeleted, AccountNumber, ThingSpaceDateAdded)')),
            ),
            'CreatedDate': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4854,
                       ('INSERT INTO ThingSpaceDeviceDetail(ICCID, CreatedBy, CreatedDate, IsActive, '
                        'IsDeleted, AccountNumber, ThingSpaceDateAdded)')),
            ),
            'IsActive': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4854,
                       ('INSERT INTO ThingSpaceDeviceDetail(ICCID, CreatedBy, CreatedDate, IsActive, '
                        'IsDeleted, AccountNumber, ThingSpaceDateAdded)')),
            ),
            'IsDeleted': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4854,
                       ('INSERT INTO ThingSpaceDeviceDetail(ICCID, CreatedBy, CreatedDate, IsActive, '
                        'IsDeleted, AccountNumber, ThingSpaceDateAdded)')),
            ),
            'AccountNumber': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4854,
                       ('INSERT INTO ThingSpaceDeviceDetail(ICCID, CreatedBy, CreatedDate, IsActive, '
                        'IsDeleted, AccountNumber, ThingSpaceDateAdded)')),
            ),
            'ThingSpaceDateAdded': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4854,
                       ('INSERT INTO ThingSpaceDeviceDetail(ICCID, CreatedBy, CreatedDate, IsActive, '
                        'IsDeleted, AccountNumber, ThingSpaceDateAdded)')),
            ),
            'ModifiedBy': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4934,
                       ('UPDATE ThingSpaceDeviceDetail SET AccountNumber, ModifiedBy, ModifiedDate, '
                        'IsDeleted = 0, IsActive = 1 WHERE ServiceProviderId AND ICCID')),
            ),
            'ModifiedDate': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4935,
                       ('UPDATE ThingSpaceDeviceDetail SET AccountNumber, ModifiedBy, ModifiedDate, '
                        'IsDeleted = 0, IsActive = 1 WHERE ServiceProviderId AND ICCID')),
            ),
            'ServiceProviderId': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4938,
                       ('UPDATE ThingSpaceDeviceDetail SET AccountNumber, ModifiedBy, ModifiedDate, '
                        'IsDeleted = 0, IsActive = 1 WHERE ServiceProviderId AND ICCID')),
            ),
        },
    ),
    'ThingSpaceDeviceStaging': TableEvidence(
        database=CENTRAL,
        note=('ThingSpace device staging, central DB. AltaworxThingSpaceAWSGetDevices fills '
              'it page by page. It bulk-copies a 20-column DataTable BY ORDINAL '
              '(AwsFunctionBase.SqlBulkCopy without mappings), so only the positions bind; '
              'the DataTable names are likely but not proven to be the SQL names. ID is left '
              'null (identity). The table is truncated only when the run starts with the '
              'first provider (CurrentServiceProviderId == 0, line 111). That is not per '
              "provider: after provider 1 the next provider's rows pile onto the same "
              'staging. Source file read through the read_file index (commit '
              'b3a9e1583250150c32222c95cbf62705f2f8f6c7, no fetchable snapshot); line '
              'numbers were checked against a reconstruction whose CRLF length equals the '
              "index's 33,497 chars."),
        sources=(
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 227,
                   'SqlBulkCopy(.., CentralDbConnectionString, table, "ThingSpaceDeviceStaging")'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices_DeepDive.md', 98,
                   'doc: quoted body of usp_ThingSpace_Truncate_DeviceAndUsageStaging truncates it'),
        ),
        columns={
            'ID': (
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 189,
                       'bulk-copy DataTable column #0 (by ordinal, no mappings)'),
            ),
            'ICCID': (
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 190,
                       'bulk-copy DataTable column #1 (by ordinal, no mappings)'),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 272,
                       "dr[1] = deviceIds kind 'iccId'"),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices_DeepDive.md', 289,
                       ('doc paraphrase of the unpublished proc body: MERGE latest rows per ICCID into '
                        'ThingSpaceDevice')),
            ),
            'IMSI': (
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 191,
                       'bulk-copy DataTable column #2 (by ordinal, no mappings)'),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 273,
                       "dr[2] = deviceIds kind 'imsi'"),
            ),
            'MSISDN': (
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 192,
                       'bulk-copy DataTable column #3 (by ordinal, no mappings)'),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 274,
                       "dr[3] = deviceIds kind 'msisdn'"),
            ),
            'IMEI': (
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 193,
                       'bulk-copy DataTable column #4 (by ordinal, no mappings)'),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 275,
                       "dr[4] = deviceIds kind 'imei'"),
            ),
            'Status': (
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 194,
                       'bulk-copy DataTable column #5 (by ordinal, no mappings)'),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 276,
                       'dr[5] = carrierInformations.state'),
            ),
            'RatePlan': (
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 195,
                       'bulk-copy DataTable column #6 (by ordinal, no mappings)'),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 277,
                       'dr[6] = carrierInformations.servicePlan'),
            ),
            'AccountNumber': (
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 196,
                       'bulk-copy DataTable column #7 (by ordinal, no mappings)'),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 278,
                       'dr[7] = device.accountName'),
            ),
            'CreatedBy': (
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 197,
                       'bulk-copy DataTable column #8 (by ordinal, no mappings)'),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 279,
                       "dr[8] = 'AWS Lambda - Get Devices Service'"),
            ),
            'DeviceCreatedDate': (
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 198,
                       'bulk-copy DataTable column #9 (by ordinal, no mappings)'),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 280,
                       'dr[9] = device.createdAt'),
            ),
            'LastActivationDate': (
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 199,
                       'bulk-copy DataTable column #10 (by ordinal, no mappings)'),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 281,
                       'dr[10] = device.lastActivationDate'),
            ),
            'LastUsageDate': (
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 200,
                       'bulk-copy DataTable column #11 (by ordinal, no mappings)'),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 282,
                       'dr[11] = device.lastConnectionDate'),
            ),
            'BillingCycleEndDate': (
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 201,
                       'bulk-copy DataTable column #12 (by ordinal, no mappings)'),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 283,
                       'dr[12] = billingPeriod.BillingPeriodEnd (UTC)'),
            ),
            'ServiceProviderId': (
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 202,
                       'bulk-copy DataTable column #13 (by ordinal, no mappings)'),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 284,
                       'dr[13] = sqsValues.CurrentServiceProviderId'),
            ),
            'CreatedDate': (
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 203,
                       'bulk-copy DataTable column #14 (by ordinal, no mappings)'),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 285,
                       'dr[14] = DateTime.UtcNow'),
            ),
            'PrimaryPlaceOfUseFirstName': (
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 204,
                       ('bulk-copy DataTable column #15 (by ordinal, no mappings) [name via '
                        'nameof(ThingSpaceExtendedAttributeKey.X)]')),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 286,
                       'dr[15] = extendedAttributes value'),
            ),
            'PrimaryPlaceOfUseMiddleName': (
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 205,
                       ('bulk-copy DataTable column #16 (by ordinal, no mappings) [name via '
                        'nameof(ThingSpaceExtendedAttributeKey.X)]')),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 287,
                       'dr[16] = extendedAttributes value'),
            ),
            'PrimaryPlaceOfUseLastName': (
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 206,
                       ('bulk-copy DataTable column #17 (by ordinal, no mappings) [name via '
                        'nameof(ThingSpaceExtendedAttributeKey.X)]')),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 288,
                       'dr[17] = extendedAttributes value'),
            ),
            'ThingSpacePPU': (
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 207,
                       'bulk-copy DataTable column #18 (by ordinal, no mappings)'),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 289,
                       'dr[18] = JSON of ThingSpacePPU (name, address, city, state, zip, country)'),
            ),
            'IPAddress': (
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 208,
                       'bulk-copy DataTable column #19 (by ordinal, no mappings)'),
                Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 290,
                       'dr[19] = device.ipAddress'),
            ),
        },
        types={
            'BillingCycleEndDate': 'DateTime',
            'ServiceProviderId': 'int',
            'CreatedDate': 'DateTime',
        },
    ),
    'ThingSpaceDeviceUsage': TableEvidence(
        database=CENTRAL,
        note=('ThingSpace per-device usage row (not the daily table). Columns from '
              "BulkChange's direct SQL. The doc says usp_ThingSpace_Update_Device propagates "
              'Unknown status to it.'),
        sources=(
            Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 6275,
                   'SELECT COUNT(1) FROM ThingSpaceDeviceUsage WHERE IsDeleted = 0 AND ICCID = @ICCID'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices_DeepDive.md', 291,
                   "doc: 'Propagate Unknown status to ThingSpaceDeviceUsage'"),
        ),
        columns={
            'ICCID': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4814,
                       ('INSERT INTO ThingSpaceDeviceUsage(ICCID, IMEI, Status, RatePlan, CreatedBy, '
                        'CreatedDate, IsActive, IsDeleted, DeviceStatusId)')),
            ),
            'IMEI': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4814,
                       ('INSERT INTO ThingSpaceDeviceUsage(ICCID, IMEI, Status, RatePlan, CreatedBy, '
                        'CreatedDate, IsActive, IsDeleted, DeviceStatusId)')),
            ),
            'Status': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4814,
                       ('INSERT INTO ThingSpaceDeviceUsage(ICCID, IMEI, Status, RatePlan, CreatedBy, '
                        'CreatedDate, IsActive, IsDeleted, DeviceStatusId)')),
            ),
            'RatePlan': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4814,
                       ('INSERT INTO ThingSpaceDeviceUsage(ICCID, IMEI, Status, RatePlan, CreatedBy, '
                        'CreatedDate, IsActive, IsDeleted, DeviceStatusId)')),
            ),
            'CreatedBy': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4814,
                       ('INSERT INTO ThingSpaceDeviceUsage(ICCID, IMEI, Status, RatePlan, CreatedBy, '
                        'CreatedDate, IsActive, IsDeleted, DeviceStatusId)')),
            ),
            'CreatedDate': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4814,
                       ('INSERT INTO ThingSpaceDeviceUsage(ICCID, IMEI, Status, RatePlan, CreatedBy, '
                        'CreatedDate, IsActive, IsDeleted, DeviceStatusId)')),
            ),
            'IsActive': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4814,
                       ('INSERT INTO ThingSpaceDeviceUsage(ICCID, IMEI, Status, RatePlan, CreatedBy, '
                        'CreatedDate, IsActive, IsDeleted, DeviceStatusId)')),
            ),
            'IsDeleted': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4814,
                       ('INSERT INTO ThingSpaceDeviceUsage(ICCID, IMEI, Status, RatePlan, CreatedBy, '
                        'CreatedDate, IsActive, IsDeleted, DeviceStatusId)')),
            ),
            'DeviceStatusId': (
                Source(BULK_CHANGE, 'AltaworxDeviceBulkChange.cs', 4814,
                       ('INSERT INTO ThingSpaceDeviceUsage(ICCID, IMEI, Status, RatePlan, CreatedBy, '
                        'CreatedDate, IsActive, IsDeleted, DeviceStatusId)')),
            ),
        },
    ),
    "ThingSpaceDeviceUsageICCICDsToProcess": TableEvidence(
        database=CENTRAL,
        note=(("ThingSpace 'rows to process'; counted and deleted whole-table on the central "
              "DB. No column shown.")
              + (' Round 2: columns are known ONLY from a doc '
                 '(ThingSpace_AWS_Lambda_Analysis.md in AltaworxThingSpaceAWSGetDevices) '
                 'quoting the usage Lambda AltaworxThingSpaceAWSGetDeviceUsage.cs:176-202, '
                 "which is not public. The same repo's DeepDive.md quotes a body of "
                 'usp_ThingSpace_Truncate_DeviceAndUsageStaging that truncates it together with '
                 'the device and usage staging.')),
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 594,
                   "DELETE FROM (whole table), central"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 638,
                   "SELECT COUNT(1) (whole table), central"),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices_DeepDive.md', 100,
                   'doc-quoted proc body: truncate table [dbo].[ThingSpaceDeviceUsageICCICDsToProcess]'),
        ),
        columns={
            'ICCID': (
                Source(THINGSPACE, 'ThingSpace_AWS_Lambda_Analysis.md', 160,
                       ('doc quote: SELECT TOP {BatchSize} [ICCID], [ServiceProviderId], '
                        '[BillingCycleEndDate] FROM ... WHERE ServiceProviderId = @ServiceProviderId '
                        'AND GroupNumber = n')),
            ),
            'ServiceProviderId': (
                Source(THINGSPACE, 'ThingSpace_AWS_Lambda_Analysis.md', 160,
                       ('doc quote: SELECT TOP {BatchSize} [ICCID], [ServiceProviderId], '
                        '[BillingCycleEndDate] FROM ... WHERE ServiceProviderId = @ServiceProviderId '
                        'AND GroupNumber = n')),
            ),
            'BillingCycleEndDate': (
                Source(THINGSPACE, 'ThingSpace_AWS_Lambda_Analysis.md', 160,
                       ('doc quote: SELECT TOP {BatchSize} [ICCID], [ServiceProviderId], '
                        '[BillingCycleEndDate] FROM ... WHERE ServiceProviderId = @ServiceProviderId '
                        'AND GroupNumber = n')),
            ),
            'GroupNumber': (
                Source(THINGSPACE, 'ThingSpace_AWS_Lambda_Analysis.md', 160,
                       ('doc quote: SELECT TOP {BatchSize} [ICCID], [ServiceProviderId], '
                        '[BillingCycleEndDate] FROM ... WHERE ServiceProviderId = @ServiceProviderId '
                        'AND GroupNumber = n')),
            ),
        },
    ),
    'ThingSpaceDeviceUsageStaging': TableEvidence(
        database=CENTRAL,
        note=('Named only in a doc-quoted body of '
              'usp_ThingSpace_Truncate_DeviceAndUsageStaging. No column is shown.'),
        sources=(
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices_DeepDive.md', 99,
                   "doc: 'truncate table [dbo].[ThingSpaceDeviceUsageStaging]'"),
        ),
        columns={
        },
    ),
    "vwJasperCommPlan_RatePlan": TableEvidence(
        database=CENTRAL,
        kind="view",
        note=("Communication plan -> rate plans. RatePlanIds is a comma-separated list of "
              "JasperCarrierRatePlan ids (split on ',' in "
              "QueueCarrierPlanOptimization.cs:753); plans with blank RatePlanIds are "
              "skipped by carrier optimization (QueueCarrierPlanOptimization.cs:470). Read "
              "on the optimizer's context.ConnectionString (= central, see report)."),
        columns={
            "Id": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 621,
                       "SELECT ... WHERE ServiceProviderId = @ServiceProviderId (GetCommPlans)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 646, "reader int.Parse"),
            ),
            "CommunicationPlanName": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 621,
                       "SELECT ... WHERE ServiceProviderId = @ServiceProviderId (GetCommPlans)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 647, "reader"),
            ),
            "RatePlanIds": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 621,
                       "SELECT ... WHERE ServiceProviderId = @ServiceProviderId (GetCommPlans)"),
                Source(CUSTOMER, "AWSFunctionBase.cs", 648, "reader"),
                Source(CARRIER, "QueueCarrierPlanOptimization.cs", 470,
                       "carrier optimization groups plans by RatePlanIds, skips blank"),
            ),
            "ServiceProviderId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 621,
                       "SELECT ... WHERE ServiceProviderId = @ServiceProviderId (GetCommPlans)"),
            ),
        },
        types={
            "Id": "int",
            "CommunicationPlanName": "string",
            "RatePlanIds": "string",
        },
    ),
    "vwOptimizationInstance": TableEvidence(
        database=CENTRAL,
        kind="view",
        note="Portal EF view (DbSet vwOptimizationInstances): device count per session.",
        columns={
            "OptimizationSessionId": (
                Source(CUSTOMER, "OptimizationApiController.cs", 2019, "EF (portal)"),
            ),
            "DeviceCount": (
                Source(CUSTOMER, "OptimizationApiController.cs", 2019, "EF (portal)"),
            ),
        },
        types={
            "DeviceCount": "int?",
        },
    ),
    "vwOptimizationSession": TableEvidence(
        database=CENTRAL,
        kind="view",
        note=("Optimization sessions view. "
              "QueueCarrierPlanOptimization.IsOptimizationRunning takes the tenant's latest "
              "active session (TOP 1 ... ORDER BY CreatedDate DESC) and joins "
              "vwOptimizationSessionRunning. The portal reads it through EF "
              "(vwOptimizationSessions)."),
        columns={
            "TenantId": (
                Source(CARRIER, "QueueCarrierPlanOptimization.cs", 367,
                       ("SELECT TOP 1 * ... WHERE/ORDER BY; JOIN ON sr.OptimizationSessionId "
                        "= optf.id")),
                Source(CUSTOMER, "OptimizationApiController.cs", 1930,
                       "EF filter (portal GetOptimizationSessionsByTenantId)"),
            ),
            "IsActive": (
                Source(CARRIER, "QueueCarrierPlanOptimization.cs", 368,
                       ("SELECT TOP 1 * ... WHERE/ORDER BY; JOIN ON sr.OptimizationSessionId "
                        "= optf.id")),
                Source(CUSTOMER, "OptimizationApiController.cs", 1930,
                       "EF filter (portal GetOptimizationSessionsByTenantId)"),
            ),
            "IsDeleted": (
                Source(CARRIER, "QueueCarrierPlanOptimization.cs", 369,
                       ("SELECT TOP 1 * ... WHERE/ORDER BY; JOIN ON sr.OptimizationSessionId "
                        "= optf.id")),
                Source(CUSTOMER, "OptimizationApiController.cs", 1930,
                       "EF filter (portal GetOptimizationSessionsByTenantId)"),
            ),
            "CreatedDate": (
                Source(CARRIER, "QueueCarrierPlanOptimization.cs", 370,
                       ("SELECT TOP 1 * ... WHERE/ORDER BY; JOIN ON sr.OptimizationSessionId "
                        "= optf.id")),
                Source(CUSTOMER, "OptimizationApiController.cs", 1931,
                       "EF filter (portal GetOptimizationSessionsByTenantId)"),
            ),
            "id": (
                Source(CARRIER, "QueueCarrierPlanOptimization.cs", 370,
                       "JOIN ON sr.OptimizationSessionId = optf.id"),
            ),
            "OptimizationTypeId": (
                Source(CUSTOMER, "OptimizationApiController.cs", 1933,
                       "EF filter (portal GetOptimizationSessionsByTenantId)"),
            ),
            "ServiceProvider": (
                Source(CUSTOMER, "OptimizationApiController.cs", 1941,
                       "EF filter (portal GetOptimizationSessionsByTenantId)"),
            ),
            "BillingPeriodEndDate": (
                Source(CUSTOMER, "OptimizationApiController.cs", 1941,
                       "EF filter (portal GetOptimizationSessionsByTenantId)"),
            ),
            "SessionId": (
                Source(CUSTOMER, "OptimizationApiController.cs", 1217, "EF property (portal)"),
            ),
            "ServiceProviderId": (
                Source(CUSTOMER, "OptimizationApiController.cs", 1218,
                       "EF property session.ServiceProviderId"),
            ),
        },
    ),
    "vwOptimizationSessionRunning": TableEvidence(
        database=CENTRAL,
        kind="view",
        note=("Running optimizations. In QueueCarrierPlanOptimization.cs:365-371 the "
              "consumer's 'already running' check: any row for the tenant's latest session "
              "whose OptimizationQueueStatusId or OptimizationInstanceStatusId differs from "
              "CompleteWithErrors counts as running. The portal gets rows of the same model "
              "from usp_OptimizationSessionRunningList."),
        columns={
            "OptimizationSessionId": (
                Source(CARRIER, "QueueCarrierPlanOptimization.cs", 365,
                       "SELECT / JOIN ON / WHERE (IsOptimizationRunning)"),
                Source(CUSTOMER, "OptimizationApiController.cs", 1984, "reader Convert.ToInt64"),
            ),
            "OptimizationQueueStatusId": (
                Source(CARRIER, "QueueCarrierPlanOptimization.cs", 371,
                       "SELECT / JOIN ON / WHERE (IsOptimizationRunning)"),
            ),
            "OptimizationInstanceStatusId": (
                Source(CARRIER, "QueueCarrierPlanOptimization.cs", 371,
                       "SELECT / JOIN ON / WHERE (IsOptimizationRunning)"),
                Source(CUSTOMER, "OptimizationApiController.cs", 1985,
                       ("reader of usp_OptimizationSessionRunningList into "
                        "vwOptimizationSessionRunning (portal)")),
            ),
            "Id": (
                Source(CUSTOMER, "OptimizationApiController.cs", 1983,
                       ("reader of usp_OptimizationSessionRunningList into "
                        "vwOptimizationSessionRunning (portal)")),
            ),
            "ServiceProviderId": (
                Source(CUSTOMER, "OptimizationApiController.cs", 1986,
                       ("reader of usp_OptimizationSessionRunningList into "
                        "vwOptimizationSessionRunning (portal)")),
            ),
            "ServiceProviderIds": (
                Source(CUSTOMER, "OptimizationApiController.cs", 1987,
                       ("reader of usp_OptimizationSessionRunningList into "
                        "vwOptimizationSessionRunning (portal)")),
            ),
        },
    ),
    "vwOptimizationSimCard": TableEvidence(
        database=CENTRAL,
        kind="view",
        note=("Seen only as the C# row model / constant class "
              "vwOptimizationSimCardColumnNames for the rows of usp_OptimizationSimCardsGet "
              "/ usp_Optimization_Mobility_SimCardsGet; no SQL names the view. CtdDataUsage "
              "is bytes (long.Parse, divided by 1024*1024, Teal uses "
              "TEAL_BYTE_CONVERSION_VALUE)."),
        columns={
            "CarrierRatePlanCode": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1458,
                       ("proc-result reader (OptimizationSimCardFromReader) [name via "
                        "constant vwOptimizationSimCardColumnNames.CarrierRatePlanCode]")),
            ),
            "ProviderDateActivated": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1459,
                       ("proc-result reader (OptimizationSimCardFromReader) [name via "
                        "constant vwOptimizationSimCardColumnNames.ProviderDateActivated]")),
            ),
            "CustomerRatePlanId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1460,
                       ("proc-result reader (OptimizationSimCardFromReader) [name via "
                        "constant vwOptimizationSimCardColumnNames.CustomerRatePlanId]")),
            ),
            "DeviceId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1464,
                       ("proc-result reader (OptimizationSimCardFromReader) [name via "
                        "constant vwOptimizationSimCardColumnNames.DeviceId]")),
            ),
            "ICCID": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1465,
                       ("proc-result reader (OptimizationSimCardFromReader) [name via "
                        "constant vwOptimizationSimCardColumnNames.ICCID]")),
            ),
            "CommunicationPlan": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1466,
                       ("proc-result reader (OptimizationSimCardFromReader) [name via "
                        "constant vwOptimizationSimCardColumnNames.CommunicationPlan]")),
            ),
            "CtdDataUsage": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1468,
                       ("proc-result reader (OptimizationSimCardFromReader) [name via "
                        "constant vwOptimizationSimCardColumnNames.CtdDataUsage]")),
            ),
            "MSISDN": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1470,
                       ("proc-result reader (OptimizationSimCardFromReader) [name via "
                        "constant vwOptimizationSimCardColumnNames.MSISDN]")),
            ),
            "Status": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1471,
                       ("proc-result reader (OptimizationSimCardFromReader) [name via "
                        "constant vwOptimizationSimCardColumnNames.Status]")),
            ),
            "UsageDate": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1472,
                       ("proc-result reader (OptimizationSimCardFromReader) [name via "
                        "constant vwOptimizationSimCardColumnNames.UsageDate]")),
            ),
            "CustomerRatePlanCode": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1473,
                       ("proc-result reader (OptimizationSimCardFromReader) [name via "
                        "constant vwOptimizationSimCardColumnNames.CustomerRatePlanCode]")),
            ),
            "ServiceProviderId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1474,
                       ("proc-result reader (OptimizationSimCardFromReader) [name via "
                        "constant vwOptimizationSimCardColumnNames.ServiceProviderId]")),
            ),
            "SmsUsage": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1477,
                       ("proc-result reader (OptimizationSimCardFromReader) [name via "
                        "constant vwOptimizationSimCardColumnNames.SmsUsage]")),
            ),
            "AccountNumberIntegrationAuthenticationId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1481,
                       ("proc-result reader (OptimizationSimCardFromReader) [name via "
                        "constant "
                        "vwOptimizationSimCardColumnNames.AccountNumberIntegrationAuthent"
                        "icationId]")),
            ),
            "CustomerRatePoolId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1491,
                       ("proc-result reader (OptimizationSimCardFromReader) [name via "
                        "constant vwOptimizationSimCardColumnNames.CustomerRatePoolId]")),
            ),
            "CustomerDataAllocationMB": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1501,
                       ("proc-result reader (OptimizationSimCardFromReader) [name via "
                        "constant vwOptimizationSimCardColumnNames.CustomerDataAllocationMB]")),
            ),
            "CustomerRatePlanMB": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1511,
                       ("proc-result reader (OptimizationSimCardFromReader) [name via "
                        "constant vwOptimizationSimCardColumnNames.CustomerRatePlanMB]")),
            ),
            "SiteId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1521,
                       ("proc-result reader (OptimizationSimCardFromReader) [name via "
                        "constant vwOptimizationSimCardColumnNames.SiteId]")),
            ),
            "IntegrationId": (
                Source(CUSTOMER, "AWSFunctionBase.cs", 1467,
                       ("proc-result reader GetInt32 [name via constant "
                        "CommonColumnNames.IntegrationId]")),
            ),
            "FoundationAccountNumber": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 147,
                       ("mobility proc-result reader [name via constant "
                        "vwOptimizationSimCardColumnNames.FoundationAccountNumber]")),
            ),
            "BillingAccountNumber": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 148,
                       ("mobility proc-result reader [name via constant "
                        "vwOptimizationSimCardColumnNames.BillingAccountNumber]")),
            ),
            "RevAccountNumber": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 149,
                       ("mobility proc-result reader [name via constant "
                        "vwOptimizationSimCardColumnNames.RevAccountNumber]")),
            ),
            "OptimizationGroupId": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 164,
                       ("mobility proc-result reader [name via constant "
                        "CommonColumnNames.OptimizationGroupId]")),
            ),
            "OptimizationRatePlanTypeId": (
                Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 165,
                       ("mobility proc-result reader [name via constant "
                        "CommonColumnNames.OptimizationRatePlanTypeId]")),
            ),
        },
        types={
            "CtdDataUsage": "long",
            "SmsUsage": "long",
            "IntegrationId": "int",
            "CustomerRatePoolId": "int",
            "CustomerDataAllocationMB": "decimal",
            "CustomerRatePlanMB": "decimal",
            "SiteId": "int",
        },
        constant_named=frozenset({
            "AccountNumberIntegrationAuthenticationId", "BillingAccountNumber",
            "CarrierRatePlanCode", "CommunicationPlan", "CtdDataUsage",
            "CustomerDataAllocationMB", "CustomerRatePlanCode", "CustomerRatePlanId",
            "CustomerRatePlanMB", "CustomerRatePoolId", "DeviceId", "FoundationAccountNumber",
            "ICCID", "IntegrationId", "MSISDN", "OptimizationGroupId",
            "OptimizationRatePlanTypeId", "ProviderDateActivated", "RevAccountNumber",
            "ServiceProviderId", "SiteId", "SmsUsage", "Status", "UsageDate",
        }),
    ),
}

PROCEDURES: dict[str, ProcedureEvidence] = {
    "GET_CUSTOMER_RATE_POOLS_BY_COMM_GROUP_ID": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "CommonSQLParameterNames.COMM_GROUP_ID": "commGroupId",
            "CommonSQLParameterNames.CUSTOMER_RATE_POOL_ID_PASCAL_CASE": "OUTPUT int",
        },
        sources=(
            Source(CARRIER, "AltaworxSimCardCostOptimizer.cs", 425, "constant"),
            Source(CARRIER, "AltaworxSimCardCostOptimizer.cs", 418, "param"),
            Source(CARRIER, "AltaworxSimCardCostOptimizer.cs", 419, "output param"),
        ),
        timeout_seconds="SQLConstant.ShortTimeoutSeconds",
        name_known=False,
    ),
    "GET_DEVICE_SETTINGS_BY_SERVICE_PROVIDER": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "CommonSQLParameterNames.SERVICE_PROVIDER_ID_PASCAL_CASE": "serviceProviderId (int)",
        },
        sources=(
            Source(CLEANUP, "SettingsRepository.cs", 381,
                   "constant; Pond SFTP settings (GetPondDeviceSettings)"),
            Source(CLEANUP, "SettingsRepository.cs", 376, "param (constant)"),
            Source(CLEANUP, "SettingsRepository.cs", 447, "result SettingKey"),
            Source(CLEANUP, "SettingsRepository.cs", 448, "result SettingValue"),
        ),
        result_columns=(
            "SettingKey",
            "SettingValue",
        ),
        timeout_seconds="SQLConstant.ShortTimeoutSeconds",
        name_known=False,
        note="Not used by the cleanup flow.",
    ),
    "GET_OPTIMIZATION_INSTANCE": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@instanceId": "instanceId (long)",
        },
        sources=(
            Source(CLEANUP, "AwsFunctionBase.cs", 93, "constant (cleanup base class GetInstance)"),
            Source(CLEANUP, "AwsFunctionBase.cs", 94, "param"),
            Source(CLEANUP, "AwsFunctionBase.cs", 126, "result Id (long.Parse)"),
            Source(CLEANUP, "AwsFunctionBase.cs", 136, "result IntegrationAuthenticationId"),
        ),
        result_columns=(
            "Id",
            "RunStatusId",
            "RunStartTime",
            "RunEndTime",
            "BillingPeriodStartDate",
            "BillingPeriodEndDate",
            "RevCustomerId",
            "ServiceProviderId",
            "PortalTypeId",
            "TenantId",
            "IntegrationAuthenticationId",
        ),
        name_known=False,
        note=("Not used by the cleanup flow. Result names via CommonColumnNames constants "
              "(AwsFunctionBase.cs:126-136)."),
    ),
    "GET_OPTIMIZATION_MOBILITY_DEVICE_RESULTS_BY_QUEUE_IDS": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "QUEUE_IDS": "comma list or DBNull",
        },
        sources=(
            Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 401, "constant"),
            Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 395, "param"),
        ),
        timeout_seconds="SQLConstant.ShortTimeoutSeconds",
        name_known=False,
    ),
    "GET_OPTIMIZATION_MOBILITY_DEVICES_BY_INSTANCE_ID": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "INSTANCE_ID": "long",
            "SERVICE_PROVIDER_ID_PASCAL_CASE": "or DBNull",
            "AUTO_CHANGE_RATE_PLAN": "bool",
            "OPTIMIZATION_GROUP_IDS": "comma list or DBNull",
            "COMM_GROUP_ID": "or DBNull",
        },
        sources=(
            Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 373, "constant"),
            Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 345, "param"),
        ),
        name_known=False,
    ),
    "GET_OPTIMIZATION_MOBILITY_SIM_CARDS_COUNT": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "SERVICE_PROVIDER_ID_PASCAL_CASE": "int",
            "REV_ACCOUNT_NUMBER": "or DBNull",
            "BILLING_PERIOD_ID": "int",
            "IS_CARRIER_OPTIMIZATION": "bool",
            "INTEGRATION_AUTHENTICATION_ID": "or DBNull",
            "TENANT_ID": "int",
        },
        sources=(
            Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 274, "constant"),
            Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 264,
                   "param (constant names)"),
        ),
        result_columns=(
            "scalar int",
        ),
        timeout_seconds="SQLConstant.ShortTimeoutSeconds",
        name_known=False,
    ),
    "GET_OPTIMIZATION_QUEUE_IDS_BY_COMM_GROUP_ID": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "CommonSQLParameterNames.COMM_GROUP_ID": "commPlanGroupId (long)",
            "CommonSQLParameterNames.RUN_STATUS_ID": "OptimizationStatus.NotStarted",
        },
        sources=(
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 1225,
                   "constant; after bulk-copying OptimizationQueue"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 1222, "param"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 1223, "param"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 1245, "result Id (long)"),
        ),
        result_columns=(
            "Id (long)",
        ),
        timeout_seconds="SQLConstant.ShortTimeoutSeconds",
        name_known=False,
    ),
    "GET_TENANT_NAME_BY_ID": ProcedureEvidence(
        database=PORTAL,
        parameters={
            "CommonSQLParameterNames.TENANT_ID": "serviceProvider.TenantId (int?)",
        },
        sources=(
            Source(CLEANUP, "ThingSpaceDiscrepancyService.cs", 56,
                   "constant SQLConstant.StoredProcedureName.GET_TENANT_NAME_BY_ID"),
            Source(CLEANUP, "ThingSpaceDiscrepancyService.cs", 48,
                   ("connection string from env "
                    "EnvironmentVariableKeyConstants.PORTAL_CONNECTION_STRING")),
            Source(CLEANUP, "ThingSpaceDiscrepancyService.cs", 51,
                   "param name is a constant (literal not visible)"),
            Source(CLEANUP, "ThingSpaceDiscrepancyService.cs", 59,
                   "timeout ShortTimeoutSeconds; FirstOrDefault"),
            Source(CLEANUP, "ThingSpaceDiscrepancyService.cs", 67,
                   "result column CommonColumnNames.Name"),
        ),
        result_columns=(
            "CommonColumnNames.Name (string)",
        ),
        timeout_seconds="SQLConstant.ShortTimeoutSeconds",
        name_known=False,
        note=("Runs on a THIRD database (portal), under a SQL retry policy with "
              "CommonConstants.NUMBER_OF_RETRIES."),
    ),
    "OPTIMIZATION_GET_OPTIMIZATION_SETTINGS_BY_TENANT_ID": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "CommonSQLParameterNames.TENANT_ID": ("tenantId ?? DBNull.Value - NULL when "
                                                  "loaded at start-up "
                                                  "(KeySysLambdaContext.cs:125: 'parent "
                                                  "tenant')"),
        },
        sources=(
            Source(CLEANUP, "SettingsRepository.cs", 124,
                   ("constant "
                    "SQLConstant.StoredProcedureName.OPTIMIZATION_GET_OPTIMIZATION_SETTIN"
                    "GS_BY_TENANT_ID")),
            Source(CLEANUP, "SettingsRepository.cs", 119, "param (constant name)"),
            Source(CLEANUP, "SettingsRepository.cs", 127, "timeout ShortTimeoutSeconds"),
            Source(CLEANUP, "SettingsRepository.cs", 423,
                   "result SettingKey (constant column name)"),
            Source(CLEANUP, "SettingsRepository.cs", 424, "result SettingValue"),
            Source(CLEANUP, "SettingsRepository.cs", 425,
                   "result CanOverride (BooleanFromReader)"),
            Source(CLEANUP, "SettingsRepository.cs", 426, "result OverrideValue"),
            Source(CLEANUP, "SettingsRepository.cs", 433,
                   "value = OverrideValue when CanOverride and not blank, else SettingValue"),
            Source(CLEANUP, "SettingsRepository.cs", 486,
                   ("key OPTIMIZATION_SYNC_DEVICE_ERROR_EMAIL_SUBJECT -> "
                    "OptimizationSyncDeviceErrorEmailSubject")),
            Source(CLEANUP, "KeySysLambdaContext.cs", 94,
                   "SettingsRepository on CentralDbConnectionString"),
        ),
        result_columns=(
            "SettingKey (string)",
            "SettingValue (string)",
            "CanOverride (bool)",
            "OverrideValue (string)",
        ),
        timeout_seconds="SQLConstant.ShortTimeoutSeconds",
        name_known=False,
        note=("Retry: PolicyFactory.GetSqlRetryPolicy(PondHelper.CommonConfig.RETRY_NUMBER). "
              "BillingTimeZone = FindSystemTimeZoneById(Linux name) else Windows name "
              "(135-140)."),
    ),
    "OptimizationRepository.RemoveCarrierOptimizationSession": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "(method args)": ("context.CentralDbConnectionString, optimizationSessionId "
                              "(long), context.logger"),
        },
        sources=(
            Source(CLEANUP, "OptimizationUsageSyncErrorHandler.cs", 22,
                   "called after the stop email"),
            Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 99,
                   ("also called by the Jasper device sync when it had HTTP errors and "
                    "OptimizationSessionId > 0")),
        ),
        name_known=False,
        note=("A repository METHOD "
              "(Amop.Core.Repositories.Optimization.OptimizationRepository), not a visible "
              "procedure: its SQL is not in any of the four repos. Called even when "
              "optimizationSessionId is 0? No: the cleanup only calls the stop path when "
              "ShouldQueueCarrierOptimization is true, but it does NOT check "
              "OptimizationSessionId > 0 (AltaworxJasperGetDevicesCleanup.cs:241-243)."),
    ),
    'POND_COUNT_REMAINING_DEVICE_STATUS_TO_PROCESS': ProcedureEvidence(
        database=CENTRAL,
        parameters={
        },
        sources=(
            Source(POND_STATUS, 'PondRepository.cs', 359,
                   'constant'),
            Source(POND_STATUS, 'AltaworxPondProcessStagedDeviceStatus.cs', 76,
                   'countRemaining == 0 gates the status sync'),
        ),
        timeout_seconds='SQLConstant.ShortTimeoutSeconds',
        name_known=False,
    ),
    'POND_DEVICE_STATUS_GET_BATCH_TO_PROCESS': ProcedureEvidence(
        database=CENTRAL,
        parameters={
            'CommonSQLParameterNames.BATCH_SIZE': 'batchSize',
            'CommonSQLParameterNames.GROUP_NUMBER': 'groupNumber',
        },
        sources=(
            Source(POND_STATUS, 'PondRepository.cs', 127,
                   'constant; returns List<PondDeviceStatusICCIDsToProcess>'),
            Source(POND_STATUS, 'PondRepository.cs', 121,
                   'param'),
            Source(POND_STATUS, 'PondRepository.cs', 122,
                   'param'),
        ),
        timeout_seconds='SQLConstant.ShortTimeoutSeconds',
        name_known=False,
        note=('Shows that PondDeviceStatusICCIDsToProcess is read in groups (GroupNumber); '
              "its model's columns are not visible."),
    ),
    'POND_DEVICE_STATUS_ICCIDS_TRUNCATE_OPERATION': ProcedureEvidence(
        database=CENTRAL,
        parameters={
        },
        sources=(
            Source(POND_STATUS, 'PondRepository.cs', 370,
                   'constant (TruncatePondDeviceStatusICCIDsToProcessTable)'),
            Source(POND_STATUS, 'AltaworxPondProcessStagedDeviceStatus.cs', 85,
                   'after the status sync and the rate-plan messages'),
        ),
        timeout_seconds='SQLConstant.ShortTimeoutSeconds',
        name_known=False,
    ),
    "POND_DEVICE_SYNC": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@ServiceProviderId": "serviceProviderId (int)",
        },
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1547,
                   "name only as constant AMOPConstants.StoredProcedureName.POND_DEVICE_SYNC"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1550, "param"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1551,
                   "CommandTimeout = AMOPConstants.TimeoutSeconds"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1557,
                   "SqlException caught and only logged"),
            Source(POND_USAGE, 'AltaworxPondGetDeviceUsage.cs', 919,
                   'also run by the Pond usage Lambda itself (UpdateDeviceUsageFromPond)'),
            Source(POND_USAGE, 'AltaworxPondGetDeviceUsage.cs', 175,
                   'only when IsFromCloudwatchEvent; otherwise the cleanup is messaged (181)'),
        ),
        timeout_seconds="SQLConstant.TimeoutSeconds",
        name_known=False,
        note="Real procedure name not visible in the four repos. All exceptions swallowed.",
    ),
    'POND_TRUNCATE_STAGING': ProcedureEvidence(
        database=CENTRAL,
        parameters={
        },
        sources=(
            Source(POND_STATUS, 'PondRepository.cs', 65,
                   'constant (TruncateStagingTables)'),
            Source(POND_DEVICES, 'AltaworxPondGetDevices.cs', 128,
                   'at device-sync initialisation'),
        ),
        timeout_seconds='SQLConstant.ShortTimeoutSeconds',
        name_known=False,
    ),
    'POND_TRUNCATE_USAGE_STAGING': ProcedureEvidence(
        database=CENTRAL,
        parameters={
        },
        sources=(
            Source(POND_USAGE, 'AltaworxPondGetDeviceUsage.cs', 819,
                   'constant'),
            Source(POND_USAGE, 'AltaworxPondGetDeviceUsage.cs', 149,
                   'only for the hourly (CloudWatch) run'),
        ),
        timeout_seconds='SQLConstant.TimeoutSeconds',
        name_known=False,
    ),
    'POND_UPDATE_DEVICE_STATUS': ProcedureEvidence(
        database=CENTRAL,
        parameters={
            'CommonSQLParameterNames.SERVICE_PROVIDER_ID': 'serviceProviderId',
            'CommonSQLParameterNames.BILLING_CYCLE_END_DAY': 'pondAuthentication.BillPeriodEndDay',
            'CommonSQLParameterNames.BILLING_CYCLE_END_HOUR': 'pondAuthentication.BillPeriodEndHour',
        },
        sources=(
            Source(POND_STATUS, 'PondRepository.cs', 254,
                   'constant'),
            Source(POND_STATUS, 'PondRepository.cs', 247,
                   'param'),
            Source(POND_STATUS, 'PondRepository.cs', 248,
                   'param'),
            Source(POND_STATUS, 'PondRepository.cs', 249,
                   'param'),
            Source(POND_STATUS, 'AltaworxPondProcessStagedDeviceStatus.cs', 117,
                   'per provider once no PondDeviceStatusICCIDsToProcess row remains'),
        ),
        timeout_seconds='(not set; SqlQueryHelper default SQLConstant.TimeoutSeconds)',
        name_known=False,
    ),
    'POND_UPDATE_DEVICE_USAGE_FROM_STAGING': ProcedureEvidence(
        database=CENTRAL,
        parameters={
            'CommonSQLParameterNames.SERVICE_PROVIDER_ID_PASCAL_CASE': 'serviceProviderId',
        },
        sources=(
            Source(POND_USAGE, 'AltaworxPondGetDeviceUsage.cs', 903,
                   'constant'),
            Source(POND_USAGE, 'AltaworxPondGetDeviceUsage.cs', 897,
                   'param'),
            Source(POND_USAGE, 'AltaworxPondGetDeviceUsage.cs', 170,
                   'step UpdatePondUsageFromStaging'),
        ),
        timeout_seconds='SQLConstant.TimeoutSeconds',
        name_known=False,
    ),
    "SERVICE_PROVIDER_GET_EXISTING_BILL_PERIOD_BY_CURRENT_DATE_TIME": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "SERVICE_PROVIDER_ID": "serviceProviderId",
            "CURRENT_DATE_TIME": "currentDateTime",
            "BILL_PERIOD_END_DAY": "int",
            "BILL_PERIOD_END_HOUR": "int",
        },
        sources=(
            Source(TEAL, "BillingPeriodHelper.cs", 145, "constant"),
            Source(TEAL, "BillingPeriodHelper.cs", 146, "param"),
            Source(TEAL, "BillingPeriodHelper.cs", 157, "result Id"),
            Source(TEAL, "BillingPeriodHelper.cs", 164, "result BillingCycleEndDate"),
        ),
        result_columns=(
            "Id (int)",
            "BillingCycleEndDate (DateTime)",
        ),
        timeout_seconds="SQLConstant.ShortTimeoutSeconds",
        name_known=False,
    ),
    'UPDATE_POND_DEVICE_FROM_STAGING': ProcedureEvidence(
        database=CENTRAL,
        parameters={
            'CommonSQLParameterNames.SERVICE_PROVIDER_ID': 'serviceProviderId',
            'CommonSQLParameterNames.PROCESSED_BY': 'processedBy',
            'CommonSQLParameterNames.BILL_MONTH': 'billMonth',
            'CommonSQLParameterNames.BILL_YEAR': 'billYear',
            'CommonSQLParameterNames.NEXT_BILL_CYCLE_DATE': 'nextBillCycleDate',
        },
        sources=(
            Source(POND_STATUS, 'PondRepository.cs', 238,
                   'constant (PondRepository.LoadDevicesFromStagingTable)'),
            Source(POND_STATUS, 'PondRepository.cs', 228,
                   'param'),
            Source(POND_STATUS, 'PondRepository.cs', 230,
                   'param'),
            Source(POND_STATUS, 'PondRepository.cs', 231,
                   'param'),
            Source(POND_STATUS, 'PondRepository.cs', 232,
                   'param'),
        ),
        timeout_seconds='SQLConstant.ShortTimeoutSeconds',
        name_known=False,
        note=('The Pond merge of PondDeviceStaging into the device table (by its name and '
              "parameters). The caller (a Pond 'process staged devices' Lambda) is not in "
              'any fetched repo.'),
    ),
    "usp_CrossProviderOptimizationCustomersGet": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "(EF function import args)": ("tenantId, serviceProviderId(s), billPeriodId[, "
                                          "customer start/end]"),
        },
        sources=(
            Source(CUSTOMER, "OptimizationApiController.cs", 794, "portal EF function import"),
        ),
        note="Portal only.",
    ),
    "usp_Device_GetTotalSimCountByAccountNumber": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@RevCustomerNumbers": "account number(s) / site id string",
            "@TenantId": "tenantId",
        },
        sources=(
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1521,
                   "\"dbo.\" prefixed; ExecuteScalar cast (Int32)"),
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1522, "param"),
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1523, "param"),
        ),
        result_columns=(
            "scalar int",
        ),
    ),
    "usp_Device_GetTotalSimCountBySiteId": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@SiteIds": "account number(s) / site id string",
            "@TenantId": "tenantId",
        },
        sources=(
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1597,
                   "\"dbo.\" prefixed; ExecuteScalar cast (Int32)"),
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1598, "param"),
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1599, "param"),
        ),
        result_columns=(
            "scalar int",
        ),
    ),
    "usp_DeviceSync_Common": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@IntegrationId": ("sqsValues.IntegrationType (enum -> int); only when "
                               "IntegrationTypeReceived"),
        },
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1192,
                   "central; after the carrier procedures for all non-mobility integrations"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1195, "CommandTimeout = 900"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1199, "param"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 806,
                   "called when !IntegrationTypeIsMobility"),
        ),
        timeout_seconds="900",
        note="No @ServiceProviderId: runs for the whole integration.",
    ),
    "usp_DeviceSync_Get_NextServiceProviderIdByIntegration": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@providerId": "currentServiceProviderId (int)",
            "@integrationId": "(int)integrationType",
        },
        sources=(
            Source(TEAL, "ServiceProviderCommon.cs", 20,
                   "ExecuteScalar -> next provider id (Int32) or 0"),
            Source(TEAL, "ServiceProviderCommon.cs", 23, "param"),
            Source(TEAL, "ServiceProviderCommon.cs", 24, "param"),
        ),
        result_columns=(
            "scalar int (next provider id)",
        ),
        note="Exceptions swallowed (Debug.WriteLine).",
    ),
    'usp_GetTelegenDevice_NotExists_Stagging': ProcedureEvidence(
        database=CENTRAL,
        parameters={
            '@BatchSize': 'env BatchSize (int)',
        },
        sources=(
            Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 802,
                   'literal (spelled Telegen/Stagging)'),
            Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 808,
                   'CommandTimeout = 800'),
            Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 810,
                   'param'),
            Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 507,
                   ("comment: devices in AMOP but not in the API list and status != 'UnKnown' -> "
                    'TelegenceDeviceNotExistsStagingToProcess')),
        ),
        timeout_seconds='800',
    ),
    'usp_MobilityDeviceUsage_UpdateLateRecords': ProcedureEvidence(
        database=CENTRAL,
        parameters={
            '@ServiceProviderId': 'int',
        },
        sources=(
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1713,
                   'literal (MUBU step UpdateLateMubuUsageFromTelegence)'),
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1716,
                   'CommandTimeout = SQLConstant.TimeoutSeconds'),
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1717,
                   'param'),
        ),
        timeout_seconds='SQLConstant.TimeoutSeconds',
    ),
    'usp_Telegence_Devices_GetDetailFilter': ProcedureEvidence(
        database=CENTRAL,
        parameters={
            '@BatchSize': 'env BatchSize (int)',
        },
        sources=(
            Source(TELEGENCE_DETAILS, 'AltaworxTelegenceAWSGetDeviceDetails.cs', 135,
                   'literal; start of the daily detail run'),
            Source(TELEGENCE_DETAILS, 'AltaworxTelegenceAWSGetDeviceDetails.cs', 141,
                   'param'),
        ),
        timeout_seconds='(not set)',
        note=('Fills TelegenceDeviceDetailIdsToProcess (grouped by GroupNumber); then one '
              'SQS message per group 0..MAX(GroupNumber).'),
    ),
    'usp_Telegence_Truncate_BillingAccountNumberStatusStaging': ProcedureEvidence(
        database=CENTRAL,
        parameters={
        },
        sources=(
            Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 872,
                   'literal'),
            Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 875,
                   'CommandTimeout = 9000'),
            Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 200,
                   'called at the first provider'),
        ),
        timeout_seconds='9000',
    ),
    'usp_Telegence_Truncate_DeviceAndUsageStaging': ProcedureEvidence(
        database=CENTRAL,
        parameters={
        },
        sources=(
            Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 856,
                   'literal'),
            Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 859,
                   'CommandTimeout = 9000'),
            Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 199,
                   'called when the device sync starts (first provider only)'),
        ),
        timeout_seconds='9000',
        note=('Whole-table truncation of the Telegence device/usage staging at the start of '
              'a device-sync run.'),
    ),
    'usp_Telegence_Truncate_UsageStaging': ProcedureEvidence(
        database=CENTRAL,
        parameters={
        },
        sources=(
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1585,
                   'literal (InitializeSync of the daily usage run)'),
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1588,
                   'CommandTimeout = 800'),
        ),
        timeout_seconds='800',
    ),
    'usp_Telegence_Update_DeviceFinalUsage_FromStaging': ProcedureEvidence(
        database=CENTRAL,
        parameters={
            '@ServiceProviderId': 'int',
            '@BillingPeriodYear': 'from the final-usage file name',
            '@BillingPeriodMonth': 'from the final-usage file name',
        },
        sources=(
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1640,
                   'literal'),
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1643,
                   'CommandTimeout = 240'),
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1644,
                   'param'),
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1645,
                   'param'),
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1646,
                   'param'),
        ),
        timeout_seconds='240',
    ),
    'usp_Telegence_Zero_Usage_For_New_Billing_Cycle': ProcedureEvidence(
        database=CENTRAL,
        parameters={
            '@serviceProviderId': 'int',
            '@DaysOffset': '0, or PremiereReportDelayDays - 1',
        },
        sources=(
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 606,
                   'literal'),
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 609,
                   'param'),
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 610,
                   'param'),
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1771,
                   'on bill-period-end day + 1 when next billing period exists'),
        ),
        timeout_seconds='(not set)',
    ),
    'usp_ThingSpace_Truncate_DeviceAndUsageStaging': ProcedureEvidence(
        database=CENTRAL,
        parameters={
        },
        sources=(
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 464,
                   'new SqlCommand("usp_ThingSpace_Truncate_DeviceAndUsageStaging")'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 111,
                   ('only when the run starts (CurrentServiceProviderId == 0) and a first provider '
                    'is found')),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices_DeepDive.md', 95,
                   ("doc-quoted body ('Your SQL'): truncates ThingSpaceDeviceStaging, "
                    'ThingSpaceDeviceUsageStaging, ThingSpaceDeviceUsageICCICDsToProcess')),
        ),
        timeout_seconds='(not set)',
        note=('Whole-table truncation for all providers. The body is known only from a doc '
              'quote (DeepDive.md:95-101).'),
    ),
    'usp_ThingSpace_Update_AuthenticationAccountNumber': ProcedureEvidence(
        database=CENTRAL,
        parameters={
            '@accountNumber': 'account number read from the API (string)',
            '@thingSpaceAuthenticationId': 'thingSpaceAuth.ThingSpaceAuthenticationId (int)',
        },
        sources=(
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 432,
                   'literal'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 435,
                   'param'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 436,
                   'param'),
        ),
        timeout_seconds='(not set)',
        note='Only when the auth row has no AccountNumber. Exceptions are logged and swallowed.',
    ),
    'usp_ThingSpace_Update_Device': ProcedureEvidence(
        database=CENTRAL,
        parameters={
            '@BillMonthCurrent': ('billingPeriod.BillingPeriodMonth (ThingSpaceCommon.GetBillingPeriod(.., '
                                  'DateTime.UtcNow, TimeZoneInfo.Utc))'),
            '@BillYearCurrent': 'billingPeriod.BillingPeriodYear',
            '@ServiceProviderId': 'serviceProviderId (int)',
        },
        sources=(
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 492,
                   'new SqlCommand("usp_ThingSpace_Update_Device"), central'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 495,
                   'param'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 496,
                   'param'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 497,
                   'param'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 233,
                   ("called by the ThingSpace device sync after the provider's last page "
                    '(isLastCycle, 231)')),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices_DeepDive.md', 289,
                   'doc paraphrase of the body (MERGE per ICCID into ThingSpaceDevice)'),
        ),
        timeout_seconds='(not set)',
        note=('Merges ThingSpaceDeviceStaging into ThingSpaceDevice. Called by '
              'AltaworxThingSpaceAWSGetDevices, NOT by the cleanup; the cleanup runs '
              'usp_ThingSpace_DeviceSync afterwards. Run under '
              'RetryPolicyHelper.GetSqlTransientPolicy (UpdateThingSpaceDevicesWithPolicy), '
              'together with usp_ThingSpace_Update_DeviceDetail, each on its own connection '
              'with no C# transaction. Body not public. Doc paraphrase '
              '(DeepDive.md:289-292): MERGE newest row per ICCID; absent devices set '
              "'Unknown' except Inventory; Unknown pushed to ThingSpaceDeviceUsage; audit "
              'row in ThingSpaceDeviceSyncAudit.'),
    ),
    'usp_ThingSpace_Update_DeviceDetail': ProcedureEvidence(
        database=CENTRAL,
        parameters={
            '@ServiceProviderId': 'serviceProviderId (int)',
        },
        sources=(
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 507,
                   'new SqlCommand("usp_ThingSpace_Update_DeviceDetail") right after Update_Device'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 510,
                   'param'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices_DeepDive.md', 295,
                   ('doc paraphrase: ThingSpaceDeviceDetailLastSyncDate, ThingSpaceDeviceDetail, '
                    '_History')),
        ),
        timeout_seconds='(not set)',
        note=('Body not public. Doc paraphrase (DeepDive.md:295-298) names '
              'ThingSpaceDeviceDetailLastSyncDate, ThingSpaceDeviceDetail and '
              'ThingSpaceDeviceDetail_History.'),
    ),
    "usp_eBonding_Devices_Get_Sync_Summary": ProcedureEvidence(
        database=CENTRAL,
        parameters={},
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1231,
                   "constant in the cleanup; central connection (1219); no parameters"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 2568,
                   "literal name in the optimizer copy (central context.ConnectionString)"),
        ),
        result_columns=(
            "[0] DetailLastSyncDate: GetDateTime",
            "[1] DetailQueueCount: GetInt32",
            "[2] DetailUpdatedCount: GetInt32",
            "[3] UsageLastSyncDate: GetDateTime",
            "[4] UsageQueueCount: GetInt32",
            "[5] UsageUpdatedCount: GetInt32",
            "[6] DeviceCount: GetInt32",
        ),
        timeout_seconds="(not set)",
        note=("Read positionally (first row only, columns 0-6, NULL skipped) at "
              "AltaworxJasperGetDevicesCleanup.cs:1266-1303; result column NAMES are not "
              "shown anywhere. No CommandTimeout set (ADO.NET default 30 s). Executed under "
              "the SQL retry policy with ExecuteAndCapture(...).Result, so a failure yields "
              "summary = null -> 'Error getting device summary' email. Called WITHOUT "
              "@ServiceProviderId."),
    ),
    "usp_eBonding_DeviceSync": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@ServiceProviderId": "serviceProviderId (int)",
        },
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1152, "central (765)"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1155, "CommandTimeout = 90"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1156, "param"),
        ),
        timeout_seconds="90",
    ),
    "usp_eBonding_Update_DeviceUsage_FromStaging": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@ServiceProviderId": "serviceProviderId (int)",
        },
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1134, "central (764)"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1137, "CommandTimeout = 60"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1138, "param"),
        ),
        timeout_seconds="60",
    ),
    "usp_GetBatchedJasperSimCardCountByServiceProviderId": ProcedureEvidence(
        database=JASPER,
        parameters={
            "@ServiceProviderId": "serviceProviderId (int)",
            "@BatchSize": "batchSize (int)",
        },
        sources=(
            Source(CLEANUP, "AwsFunctionBase.cs", 198,
                   "constant; on GeneralProviderSettings.JasperDbConnectionString (193)"),
            Source(CLEANUP, "AwsFunctionBase.cs", 199, "timeout"),
            Source(CLEANUP, "AwsFunctionBase.cs", 200, "param"),
            Source(CLEANUP, "AwsFunctionBase.cs", 201, "param"),
        ),
        result_columns=(
            "JasperDeviceBatch.FromReader - not shown",
        ),
        timeout_seconds="SQLConstant.ShortTimeoutSeconds",
        name_known=False,
        note="Not used by the cleanup flow (base-class helper).",
    ),
    "usp_GetDevicesWithBillingCycleDiscrepancy": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@ServiceProviderId": "sqsValues.ServiceProviderId (int)",
        },
        sources=(
            Source(CLEANUP, "ThingSpaceDiscrepancyService.cs", 87,
                   ("constant "
                    "SQLConstant.StoredProcedureName.usp_GetDevicesWithBillingCycleDiscre"
                    "pancy")),
            Source(CLEANUP, "ThingSpaceDiscrepancyService.cs", 82, "central connection"),
            Source(CLEANUP, "ThingSpaceDiscrepancyService.cs", 88,
                   "CommandTimeout = ShortTimeoutSeconds"),
            Source(CLEANUP, "ThingSpaceDiscrepancyService.cs", 89, "param"),
            Source(CLEANUP, "ThingSpaceDiscrepancyService.cs", 98,
                   "rows read by IncorrectBillCycleDevice.FromReader (class not in the repos)"),
            Source(CLEANUP, "ThingSpaceDiscrepancyService.cs", 112,
                   "SqlException caught, logged, empty list returned"),
        ),
        result_columns=(
            "IncorrectBillCycleDevice.FromReader(reader) - fields not shown",
        ),
        timeout_seconds="SQLConstant.ShortTimeoutSeconds",
        name_known=False,
        note=("ThingSpace only. Excel sheet name "
              "CommonConstants.INCORRECT_BILL_CYCLE_DEVICES (literal not shown)."),
    ),
    "usp_Jasper_Device_Add_History": ProcedureEvidence(
        database=JASPER,
        parameters={
            "@ServiceProviderId": "serviceProviderId (int)",
        },
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1065,
                   "on JasperDbConnectionString (1063)"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1068,
                   "CommandTimeout = AMOPConstants.ShortTimeoutSeconds"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1069, "param"),
        ),
        timeout_seconds="SQLConstant.ShortTimeoutSeconds",
        note="Dead code: RecordJasperDevicesHistory (1060) is never called.",
    ),
    "usp_Jasper_Devices_Get_Sync_Summary": ProcedureEvidence(
        database=JASPER,
        parameters={
            "@ServiceProviderId": "serviceProviderId (int) - Jasper family only",
        },
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1241,
                   ("constant "
                    "AMOPConstants.StoredProcedureName.usp_Jasper_Devices_Get_Sync_Summary")),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1240,
                   "connection = JasperDbConnectionString"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1261,
                   "param (only for Jasper, POD19, TMobileJasper, Rogers)"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 2555,
                   ("literal name in the optimizer copy of GetSummaryValues (also on "
                    "JasperDbConnectionString, 2554)")),
        ),
        result_columns=(
            "[0] DetailLastSyncDate: GetDateTime",
            "[1] DetailQueueCount: GetInt32",
            "[2] DetailUpdatedCount: GetInt32",
            "[3] UsageLastSyncDate: GetDateTime",
            "[4] UsageQueueCount: GetInt32",
            "[5] UsageUpdatedCount: GetInt32",
            "[6] DeviceCount: GetInt32",
        ),
        timeout_seconds="(not set)",
        note=("Read positionally (first row only, columns 0-6, NULL skipped) at "
              "AltaworxJasperGetDevicesCleanup.cs:1266-1303; result column NAMES are not "
              "shown anywhere. No CommandTimeout set (ADO.NET default 30 s). Executed under "
              "the SQL retry policy with ExecuteAndCapture(...).Result, so a failure yields "
              "summary = null -> 'Error getting device summary' email."),
    ),
    "usp_Jasper_DeviceSync": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@JasperDbName": ("jasperCn.Database (name of the Jasper database, from "
                              "JasperDbConnectionString)"),
            "@ServiceProviderId": "serviceProviderId (int)",
        },
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1036,
                   "SqlCommand on the CENTRAL connection cn inside transaction"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1034, "cn.BeginTransaction()"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1039,
                   "CommandTimeout = SQLConstant.TimeoutSeconds"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1040, "param @JasperDbName"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1041,
                   "param @ServiceProviderId"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1052,
                   "Rollback on error, exception only logged (swallowed)"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 779,
                   "called for Jasper, POD19, TMobileJasper, Rogers under the SQL retry policy"),
        ),
        timeout_seconds="Amop.Core.Constants.SQLConstant.TimeoutSeconds",
        in_transaction=True,
        note=("ExecuteNonQuery then Commit; any exception rolls back and is only logged, so "
              "the retry policy never sees it."),
    ),
    "usp_Jasper_Get_Active_ServiceProviders": ProcedureEvidence(
        database=CENTRAL,
        parameters={},
        sources=(
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 942,
                   "no parameters (scheduled carrier optimization)"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 954,
                   "result ServiceProviderId (int cast)"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 955, "result TenantId (int cast)"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 956,
                   "result OptimizationStartHourLocalTime (int?)"),
        ),
        result_columns=(
            "ServiceProviderId (int)",
            "TenantId (int)",
            "OptimizationStartHourLocalTime (int?)",
        ),
    ),
    "usp_MobilityDevice_GetTotalSimCountByAccountNumber": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@RevCustomerNumber": "account number(s) / site id string",
            "@TenantId": "tenantId",
        },
        sources=(
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1544,
                   "\"dbo.\" prefixed; ExecuteScalar cast (Int32)"),
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1545, "param"),
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1546, "param"),
        ),
        result_columns=(
            "scalar int",
        ),
    ),
    "usp_MobilityDevice_GetTotalSimCountBySiteId": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@SiteIds": "account number(s) / site id string",
            "@TenantId": "tenantId",
        },
        sources=(
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1620,
                   "\"dbo.\" prefixed; ExecuteScalar cast (Int32)"),
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1621, "param"),
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1622, "param"),
        ),
        result_columns=(
            "scalar int",
        ),
    ),
    "usp_MobilityDeviceSync_Common": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@IntegrationId": ("sqsValues.IntegrationType (the IntegrationType enum value, "
                               "i.e. the numeric integration id); only added when the "
                               "message had an IntegrationType attribute"),
        },
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1170,
                   "central; after the carrier procedures for eBonding/Telegence"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1173, "CommandTimeout = 900"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1177, "param"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 801,
                   "called when IntegrationTypeIsMobility (eBonding, Telegence)"),
        ),
        timeout_seconds="900",
        note="No @ServiceProviderId: runs for the whole integration.",
    ),
    "usp_Optimization_AMOPCustomersGet": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "(EF function import args)": ("tenantId, serviceProviderId(s), billPeriodId[, "
                                          "customer start/end]"),
        },
        sources=(
            Source(CUSTOMER, "OptimizationApiController.cs", 820, "portal EF function import"),
        ),
        note="Portal only.",
    ),
    "usp_Optimization_Create_OptimizationInstance": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@instanceId": "OUTPUT BigInt",
            "@runStatus": "OptimizationStatus.NotStarted",
            "@messageId": "messageId",
            "@billingPeriodId": "optimizationBillingPeriodId",
            "@customerId": "Guid or DBNull",
            "@portalType": "(int)portalType",
            "@tenantId": "tenantId",
            "@integrationAuthenticationId": "or DBNull",
            "@optimizationSessionId": "optimizationSessionId (long)",
            "@useBillInAdvance": "bool",
            "@billInAdvanceBillingPeriodId": "int?",
            "@amopCustomerId": "int?",
        },
        sources=(
            Source(CUSTOMER, "AWSFunctionBase.cs", 1777,
                   "customer optimization (StartOptimizationInstanceWithBillingPeriod)"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 1780, "output param"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 1789, "param"),
        ),
    ),
    "usp_Optimization_Create_OptimizationSession": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@optimizationSessionId": "OUTPUT BigInt",
            "@billingPeriodId": "billingPeriod.Id",
            "@tenantId": "serviceProviderTenantId",
            "@optimizationTypeId": "(int)OptimizationType.Carrier",
        },
        sources=(
            Source(CUSTOMER, "AWSFunctionBase.cs", 1815,
                   ("used by QueueCarrierPlanOptimization when the message has no "
                    "OptimizationSessionId")),
            Source(CUSTOMER, "AWSFunctionBase.cs", 1817, "output"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 1819, "param"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 1820, "param"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 1821, "param"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 230,
                   "caller (StartOptimizationSession)"),
        ),
        note="Async SQL retry policy (3). Returns the new session id (long).",
    ),
    "usp_Optimization_DeviceResultAndQueueRatePlan_Cleanup": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@commGroupId": "commGroupId",
            "@winningQueueId": "queueId",
        },
        sources=(
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 2120),
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 2123, "param"),
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 2124, "param"),
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 2125,
                   "CommandTimeout = 900"),
        ),
        timeout_seconds="900",
    ),
    "usp_Optimization_Mobility_AMOPCustomersGet": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "(EF function import args)": ("tenantId, serviceProviderId(s), billPeriodId[, "
                                          "customer start/end]"),
        },
        sources=(
            Source(CUSTOMER, "OptimizationApiController.cs", 822, "portal EF function import"),
        ),
        note="Portal only.",
    ),
    "usp_Optimization_Mobility_CustomersGet": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "(EF function import args)": ("tenantId, serviceProviderId(s), billPeriodId[, "
                                          "customer start/end]"),
        },
        sources=(
            Source(CUSTOMER, "OptimizationApiController.cs", 792, "portal EF function import"),
        ),
        note="Portal only.",
    ),
    "usp_Optimization_Mobility_SimCardsGet": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@BillingPeriodId": "billingPeriodId",
            "@SiteType": "(int)siteType",
            "CommonSQLParameterNames.TENANT_ID": "tenantId",
            "@RevAccountNumber": "or DBNull",
            "@AMOPCustomerId": "or DBNull",
            "@ServiceProviderId": "or DBNull",
            "@IntegrationAuthenticationId": "or DBNull",
            "@PoolIds": "or DBNull",
            "CommonSQLParameterNames.IS_CARRIER_OPTIMIZATION": "bool",
        },
        sources=(
            Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 41),
            Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 92, "param"),
            Source(CUSTOMER, "OptimizationMobilityDeviceRepository.cs", 93, "timeout"),
        ),
        result_columns=(
            "vwOptimizationSimCard columns (MobilityOptimizationSimCardFromReader)",
        ),
        timeout_seconds="SQLConstant.ShortTimeoutSeconds",
    ),
    "usp_Optimization_PreviousRatePlanUpdateSummary": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@InstanceId": "instanceId (long)",
        },
        sources=(
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 477),
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 480, "param"),
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 501, "result Id"),
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 507,
                   "result UpdateRateDevicesPerMinute"),
        ),
        result_columns=(
            "Id (long)",
            "InstanceId (long)",
            "QueueCount (int)",
            "MinSecondsToUpdate (int)",
            "MaxSecondsToUpdate (int)",
            "AvgSecondsToUpdate (decimal)",
            "UpdateRateDevicesPerMinute (decimal)",
        ),
    ),
    "usp_Optimization_RatePlanChangeCount": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@InstanceId": "instanceId (long)",
        },
        sources=(
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 518),
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 521, "param"),
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 528,
                   "result TargetDeviceCount"),
        ),
        result_columns=(
            "TargetDeviceCount (int)",
        ),
    ),
    "usp_OptimizationCustomersGet": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "(EF function import args)": ("tenantId, serviceProviderId(s), billPeriodId[, "
                                          "customer start/end]"),
        },
        sources=(
            Source(CUSTOMER, "OptimizationApiController.cs", 790, "portal EF function import"),
        ),
        note="Portal only.",
    ),
    "usp_OptimizationMobilityRatePlansByCustomer": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@RevCustomerIds": "customerId string",
            "@ServiceProviderId": "int or DBNull",
            "@TenantId": "tenantId",
            "@SiteType": "(int)siteType",
            "@AMOPCustomerIds": "string or DBNull",
            "@BillingPeriodId": "billingPeriodId",
        },
        sources=(
            Source(CUSTOMER, "AWSFunctionBase.cs", 1038),
            Source(CUSTOMER, "AWSFunctionBase.cs", 1041, "param"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 1046, "param"),
        ),
        result_columns=(
            "rate-plan rows read by RatePlanFromReader (CustomerRatePlanColumnNames constants)",
        ),
    ),
    "usp_OptimizationRatePlansByCustomer": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@RevCustomerIds": "customerId string",
            "@ServiceProviderId": "int or DBNull",
            "@TenantId": "tenantId",
            "@SiteType": "(int)siteType",
            "@AMOPCustomerIds": "string or DBNull",
            "@BillingPeriodId": "billingPeriodId",
        },
        sources=(
            Source(CUSTOMER, "AWSFunctionBase.cs", 1003),
            Source(CUSTOMER, "AWSFunctionBase.cs", 1006, "param"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 1011, "param"),
        ),
        result_columns=(
            "rate-plan rows read by RatePlanFromReader (CustomerRatePlanColumnNames constants)",
        ),
    ),
    "usp_OptimizationServiceProvidersByCustomer": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@RevCustomerId": "customerId (Guid)",
            "@PortalType": "(int)portalType",
        },
        sources=(
            Source(CUSTOMER, "AWSFunctionBase.cs", 971),
            Source(CUSTOMER, "AWSFunctionBase.cs", 974, "param"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 975, "param"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 981, "result ServiceProviderId"),
            Source(CUSTOMER, "OptimizationApiController.cs", 665,
                   "also an EF function import in the portal"),
        ),
        result_columns=(
            "ServiceProviderId (int)",
        ),
    ),
    "usp_OptimizationSessionRunningList": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@OptimizationSessionId": "optimizationSessionId (int)",
        },
        sources=(
            Source(CUSTOMER, "OptimizationApiController.cs", 1952,
                   "portal, AltaworxCentralConnectionStringWithoutEF"),
            Source(CUSTOMER, "OptimizationApiController.cs", 1955, "timeout PortalTimeoutSeconds"),
            Source(CUSTOMER, "OptimizationApiController.cs", 1956, "param"),
            Source(CUSTOMER, "OptimizationApiController.cs", 1985,
                   "result OptimizationInstanceStatusId"),
        ),
        result_columns=(
            "Id",
            "OptimizationSessionId",
            "OptimizationInstanceStatusId",
            "ServiceProviderId",
            "ServiceProviderIds",
        ),
        timeout_seconds="SQLConstant.PortalTimeoutSeconds",
    ),
    "usp_OptimizationSimCardsCount": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@ServiceProviderId": "serviceProviderId",
            "CommonSQLParameterNames.TENANT_ID": "tenantId",
            "@RevAccountNumber": "revAccountNumber or DBNull",
            "@BillingPeriodId": "billingPeriodId",
            "@IntegrationAuthenticationId": "integrationAuthenticationId or DBNull",
        },
        sources=(
            Source(CUSTOMER, "AWSFunctionBase.cs", 310),
            Source(CUSTOMER, "AWSFunctionBase.cs", 313, "param"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 314, "param"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 317, "param"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 323, "param"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 326, "param"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 337, "result SimCardCount GetInt32"),
        ),
        result_columns=(
            "SimCardCount (int)",
        ),
    ),
    "usp_OptimizationSimCardsGet": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@BillingPeriodId": "billingPeriodId",
            "@SiteType": "(int)siteType",
            "@AMOPCustomerId": "amopCustomerId",
            "CommonSQLParameterNames.TENANT_ID": "tenantId",
            "@RevAccountNumber": "string or DBNull",
            "@ServiceProviderId": "int or DBNull",
            "@IntegrationAuthenticationId": "int or DBNull",
            "@PoolIds": "comma list or DBNull",
        },
        sources=(
            Source(CUSTOMER, "AWSFunctionBase.cs", 1390,
                   "carrier optimization's SIM list (GetOptimizationSimCards)"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 1392, "CommandTimeout = 200"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 1394, "param"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 1432, "param"),
        ),
        result_columns=(
            "vwOptimizationSimCard columns (see TABLES['vwOptimizationSimCard'])",
        ),
        timeout_seconds="200",
    ),
    "usp_Pond_Devices_Get_Sync_Summary": ProcedureEvidence(
        database=CENTRAL,
        parameters={},
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1244,
                   "constant AMOPConstants.StoredProcedureName.<name>; central; no parameters"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 2572,
                   "also only the constant in the optimizer copy"),
        ),
        result_columns=(
            "[0] DetailLastSyncDate: GetDateTime",
            "[1] DetailQueueCount: GetInt32",
            "[2] DetailUpdatedCount: GetInt32",
            "[3] UsageLastSyncDate: GetDateTime",
            "[4] UsageQueueCount: GetInt32",
            "[5] UsageUpdatedCount: GetInt32",
            "[6] DeviceCount: GetInt32",
        ),
        timeout_seconds="(not set)",
        name_known=False,
        note=("Read positionally (first row only, columns 0-6, NULL skipped) at "
              "AltaworxJasperGetDevicesCleanup.cs:1266-1303; result column NAMES are not "
              "shown anywhere. No CommandTimeout set (ADO.NET default 30 s). Executed under "
              "the SQL retry policy with ExecuteAndCapture(...).Result, so a failure yields "
              "summary = null -> 'Error getting device summary' email. Called WITHOUT "
              "@ServiceProviderId. Literal name not visible (constant member name only)."),
    ),
    "usp_RevCustomer_GetById": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@ID": "customerGuidId (Guid)",
        },
        sources=(
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 814,
                   "\"dbo.usp_RevCustomer_GetById\""),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 815, "param"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 823, "result RevCustomerId"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 824, "result CustomerName"),
            Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 1492,
                   "same call in the optimizer cleanup"),
        ),
        result_columns=(
            "RevCustomerId",
            "CustomerName",
        ),
    ),
    "usp_Service_Provider_Get_Bill_Period_Day_And_Hour": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@ServiceProviderId": "serviceProviderId (int)",
            "@BillMonth": "DateTime.Now.Month, then next month (int)",
            "@BillYear": "DateTime.Now.Year, then next month's year (int)",
        },
        sources=(
            Source(TEAL, "BillingPeriodHelper.cs", 20,
                   ("CommandText = \"dbo.usp_Service_Provider_Get_Bill_Period_Day_And_Hour\" "
                    "(GetBillingPeriodForServiceProvider)")),
            Source(TEAL, "BillingPeriodHelper.cs", 21, "param"),
            Source(TEAL, "BillingPeriodHelper.cs", 22, "param"),
            Source(TEAL, "BillingPeriodHelper.cs", 23, "param"),
            Source(TEAL, "BillingPeriodHelper.cs", 30, "result BillPeriodEndDay, cast (int)"),
            Source(TEAL, "BillingPeriodHelper.cs", 36, "result BillPeriodEndHour, cast (int)"),
            Source(TEAL, "BillingPeriodHelper.cs", 42,
                   "result Id, cast (int); stays 0 when no row"),
            Source(TEAL, "BillingPeriodHelper.cs", 98,
                   "result BillingCycleStartDate (GetBillingPeriodCurrentMonth variant)"),
            Source(TEAL, "BillingPeriodHelper.cs", 103,
                   "result BillingCycleEndDate (GetBillingPeriodCurrentMonth variant)"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 483,
                   ("cleanup: this month with OptimizationSettings.BillingTimeZone, on "
                    "CentralDbConnectionString")),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 489,
                   "cleanup: next month when Id == 0"),
        ),
        result_columns=(
            "BillPeriodEndDay (int)",
            "BillPeriodEndHour (int)",
            "Id (int)",
            "BillingCycleStartDate (DateTime, other helper)",
            "BillingCycleEndDate (DateTime, other helper)",
        ),
        timeout_seconds="(not set)",
        note=("Helper never returns null: when no row it returns a BillingPeriod with Id 0 "
              "and defaults endDay 18 / endHour 18 (BillingPeriodHelper.cs:11). The last row "
              "read wins. The cleanup's 'billingPeriod == null' test is dead."),
    ),
    "usp_Teal_Device_Sync": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@ServiceProviderId": "serviceProviderId (int)",
        },
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1103,
                   "name from constant AMOPConstants.StoredProcedureName.usp_Teal_Device_Sync"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1106, "param"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1107,
                   "CommandTimeout = AMOPConstants.TimeoutSeconds"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1115,
                   "SqlException caught and only logged"),
        ),
        timeout_seconds="SQLConstant.TimeoutSeconds",
        name_known=False,
        note=("Only the constant is visible (member name equals the likely procedure name). "
              "All exceptions swallowed."),
    ),
    "usp_Teal_Devices_Get_Sync_Summary": ProcedureEvidence(
        database=CENTRAL,
        parameters={},
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1234,
                   "constant AMOPConstants.StoredProcedureName.<name>; central; no parameters"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 2576,
                   "also only the constant in the optimizer copy"),
        ),
        result_columns=(
            "[0] DetailLastSyncDate: GetDateTime",
            "[1] DetailQueueCount: GetInt32",
            "[2] DetailUpdatedCount: GetInt32",
            "[3] UsageLastSyncDate: GetDateTime",
            "[4] UsageQueueCount: GetInt32",
            "[5] UsageUpdatedCount: GetInt32",
            "[6] DeviceCount: GetInt32",
        ),
        timeout_seconds="(not set)",
        name_known=False,
        note=("Read positionally (first row only, columns 0-6, NULL skipped) at "
              "AltaworxJasperGetDevicesCleanup.cs:1266-1303; result column NAMES are not "
              "shown anywhere. No CommandTimeout set (ADO.NET default 30 s). Executed under "
              "the SQL retry policy with ExecuteAndCapture(...).Result, so a failure yields "
              "summary = null -> 'Error getting device summary' email. Called WITHOUT "
              "@ServiceProviderId. Literal name not visible (constant member name only)."),
    ),
    "usp_Teal_Get_AuthenticationByProviderId": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@providerId": "serviceProviderId (int)",
        },
        sources=(
            Source(TEAL, "TealRepository.cs", 27, "constant"),
            Source(TEAL, "TealRepository.cs", 30, "param"),
            Source(TEAL, "TealRepository.cs", 38, "result IntegrationAuthenticationId"),
            Source(TEAL, "TealRepository.cs", 44, "result BillPeriodEndHour"),
        ),
        result_columns=(
            "IntegrationAuthenticationId",
            "BaseUrl",
            "APIKey",
            "APISecret",
            "WriteIsEnabled",
            "BillPeriodEndDay",
            "BillPeriodEndHour",
        ),
        timeout_seconds="SQLConstant.ShortTimeoutSeconds",
        name_known=False,
        note="Result names via CommonColumnNames constants.",
    ),
    "usp_Teal_Truncate_Device_And_Usage_Staging": ProcedureEvidence(
        database=CENTRAL,
        parameters={},
        sources=(
            Source(TEAL, "AltaworxTealAWSGetDevices.cs", 144,
                   "constant; truncates Teal device + usage staging before the first provider"),
            Source(TEAL, "AltaworxTealAWSGetDevices.cs", 147, "timeout"),
            Source(POND_STATUS, 'Stored Procedures.cs', 461,
                   'CREATE PROCEDURE[dbo].[usp_Teal_Truncate_Device_And_Usage_Staging] (body)'),
            Source(POND_STATUS, 'Stored Procedures.cs', 466,
                   ('TRUNCATE TealDeviceStaging, TealDeviceUsageStaging (467), '
                    'TealDeviceUsageDailyStaging (468), TealDeviceSMSUsageStaging (469)')),
        ),
        timeout_seconds="SQLConstant.ShortTimeoutSeconds",
        name_known=True,  # round 2: literal name and body seen
        note=("Truncation is for ALL providers at once (no parameter)."
              + (' Round 2: literal name and body in '
                 'pond-AltaworxPondProcessStagedDeviceStatus/Stored Procedures.cs:461-470.')),
    ),
    "usp_Teal_Update_Device_From_Staging": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@ServiceProviderId": "int",
            "@BillingCycleEndDay": "tealAuthentication.BillPeriodEndDay",
            "@BillingCycleEndHour": "tealAuthentication.BillPeriodEndHour",
            "@BillMonth": "billingPeriod.BillingPeriodMonth",
            "@BillYear": "billingPeriod.BillingPeriodYear",
            "@NextBillCycleDate": "billingPeriod.BillingPeriodEnd",
        },
        sources=(
            Source(TEAL, "AltaworxTealAWSGetDevices.cs", 377,
                   "constant; after the last page of a provider"),
            Source(TEAL, "AltaworxTealAWSGetDevices.cs", 381, "param"),
            Source(TEAL, "AltaworxTealAWSGetDevices.cs", 386, "param"),
            Source(TEAL, "AltaworxTealAWSGetDevices.cs", 387, "timeout"),
            Source(POND_STATUS, 'Stored Procedures.cs', 1,
                   'full body kept in a Pond repo'),
            Source(POND_STATUS, 'Stored Procedures.cs', 10,
                   'BEGIN TRANSACTION ... COMMIT (228)'),
            Source(POND_STATUS, 'Stored Procedures.cs', 168,
                   ('WHEN NOT MATCHED BY SOURCE AND [TARGET].[ServiceProviderId] = '
                    '@ServiceProviderId -> Unknown')),
        ),
        timeout_seconds="SQLConstant.TimeoutSeconds",
        name_known=False,
        note=('Round 2 (body in pond-AltaworxPondProcessStagedDeviceStatus/Stored '
              'Procedures.cs): one transaction. TealDeviceDetailLastSyncDate row; MERGE '
              'TealDeviceStaging -> TealDevice ON EID AND IsActive = 1; absent devices of '
              "the provider -> DeviceStatusId 67 'Unknown'; TealDeviceSyncAudit row "
              '(month/year swapped). @BillingCycleEndHour is declared but unused.'),
    ),
    "usp_Teal_Update_Device_Usage": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@ServiceProviderId": "int",
        },
        sources=(
            Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 277,
                   "constant; then the cleanup message is sent"),
            Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 281, "param"),
            Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 282, "timeout"),
        ),
        timeout_seconds="SQLConstant.TimeoutSeconds",
        name_known=False,
    ),
    "usp_Telegence_Devices_Get_Sync_Summary": ProcedureEvidence(
        database=CENTRAL,
        parameters={},
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1228,
                   "constant in the cleanup; central connection (1219); no parameters"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 2564,
                   "literal name in the optimizer copy (central context.ConnectionString)"),
        ),
        result_columns=(
            "[0] DetailLastSyncDate: GetDateTime",
            "[1] DetailQueueCount: GetInt32",
            "[2] DetailUpdatedCount: GetInt32",
            "[3] UsageLastSyncDate: GetDateTime",
            "[4] UsageQueueCount: GetInt32",
            "[5] UsageUpdatedCount: GetInt32",
            "[6] DeviceCount: GetInt32",
        ),
        timeout_seconds="(not set)",
        note=("Read positionally (first row only, columns 0-6, NULL skipped) at "
              "AltaworxJasperGetDevicesCleanup.cs:1266-1303; result column NAMES are not "
              "shown anywhere. No CommandTimeout set (ADO.NET default 30 s). Executed under "
              "the SQL retry policy with ExecuteAndCapture(...).Result, so a failure yields "
              "summary = null -> 'Error getting device summary' email. Called WITHOUT "
              "@ServiceProviderId."),
    ),
    "usp_Telegence_DeviceSync": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@ServiceProviderId": "serviceProviderId (int)",
        },
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1527,
                   "central (CentralDbConnectionString)"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1530, "param"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1531, "CommandTimeout = 1800"),
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1695,
                   'also called by the Telegence usage Lambda (MUBU step / Kafka), timeout 800'),
        ),
        timeout_seconds="1800",
    ),
    "usp_Telegence_Update_Device": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@ServiceProviderId": "serviceProviderId (int)",
        },
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1440,
                   "central (CentralDbConnectionString)"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1443, "param"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1444, "CommandTimeout = 1800"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 748,
                   ("only when CountRowsTelegenceDeviceStaging > 0 (TelegenceDeviceStaging, "
                    "whole table)")),
            Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 10,
                   ('full body: CREATE PROCEDURE [dbo].[usp_Telegence_Update_Device] '
                    '@ServiceProviderId int')),
            Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 14,
                   'BEGIN TRANSACTION ... COMMIT (182)'),
            Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 85,
                   'WHEN NOT MATCHED BY TARGET AND SOURCE.ServiceProviderId = @ServiceProviderId'),
        ),
        timeout_seconds="1800",
        note=('Round 2 (Telegence_Carrier/usp_Telegence_Update_Device.sql, full body): in '
              'one transaction it MERGEs TelegenceDeviceStaging (newest row per '
              'SubscriberNumber, status mapped via DeviceStatus IntegrationId 6, '
              'ContractStatus from TelegenceDeviceContractStatusStaging) into '
              'TelegenceDevice ON SubscriberNumber. It counts FailedSyncCount for the '
              "provider's devices absent from the WHOLE staging. After more than 3 failures "
              "it sets them 'Unknown'. Then it inserts TelegenceDeviceSyncAudit. The "
              'Telegence device sync Lambda never calls it (grep); only the cleanup does.'),
    ),
    "usp_Telegence_Update_DeviceDetail": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@ServiceProviderId": "serviceProviderId (int)",
        },
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1457,
                   "central (CentralDbConnectionString)"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1460, "param"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1461, "CommandTimeout = 1800"),
        ),
        timeout_seconds="1800",
    ),
    "usp_Telegence_Update_DeviceMubuUsage_FromStaging": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@ServiceProviderId": "serviceProviderId (int)",
        },
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1510,
                   "central (CentralDbConnectionString)"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1513, "param"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1514, "CommandTimeout = 1800"),
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1660,
                   'also called by the Telegence usage Lambda (MUBU step 1), timeout 800'),
        ),
        timeout_seconds="1800",
    ),
    "usp_Telegence_Update_DeviceUsage_FromStaging": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@ServiceProviderId": "serviceProviderId (int)",
        },
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1474,
                   "central (CentralDbConnectionString)"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1477, "param"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1478, "CommandTimeout = 1800"),
        ),
        timeout_seconds="1800",
    ),
    "usp_ThingSpace_Devices_Get_Sync_Summary": ProcedureEvidence(
        database=CENTRAL,
        parameters={},
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1225,
                   "constant in the cleanup; central connection (1219); no parameters"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 2560,
                   "literal name in the optimizer copy (central context.ConnectionString)"),
        ),
        result_columns=(
            "[0] DetailLastSyncDate: GetDateTime",
            "[1] DetailQueueCount: GetInt32",
            "[2] DetailUpdatedCount: GetInt32",
            "[3] UsageLastSyncDate: GetDateTime",
            "[4] UsageQueueCount: GetInt32",
            "[5] UsageUpdatedCount: GetInt32",
            "[6] DeviceCount: GetInt32",
        ),
        timeout_seconds="(not set)",
        note=("Read positionally (first row only, columns 0-6, NULL skipped) at "
              "AltaworxJasperGetDevicesCleanup.cs:1266-1303; result column NAMES are not "
              "shown anywhere. No CommandTimeout set (ADO.NET default 30 s). Executed under "
              "the SQL retry policy with ExecuteAndCapture(...).Result, so a failure yields "
              "summary = null -> 'Error getting device summary' email. Called WITHOUT "
              "@ServiceProviderId."),
    ),
    "usp_ThingSpace_DeviceSync": ProcedureEvidence(
        database=CENTRAL,
        parameters={
            "@ServiceProviderId": "serviceProviderId (int)",
        },
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1083,
                   "central (connectionString = CentralDbConnectionString, 738)"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1086, "CommandTimeout = 900"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1087, "param"),
        ),
        timeout_seconds="900",
        note="Exceptions propagate (retry policy, then the handler's catch).",
    ),
    "usp_Update_Jasper_Device": ProcedureEvidence(
        database=JASPER,
        parameters={
            "@isLastPage": "isLastPage (bool, new SqlParameter)",
            "@BillingCycleEndDay": "jasperAuth.BillingPeriodEndDay",
            "@BillingCycleEndHour": "jasperAuth.BillingPeriodEndHour ?? 0",
            "@CentralDbName": "centralConn.Database (central DB name)",
            "@ServiceProviderId": "serviceProviderId (int)",
            "@IntegrationId": "serviceProvider.IntegrationId (from ServiceProvider row)",
        },
        sources=(
            Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 313,
                   ("on GeneralProviderSettings.JasperDbConnectionString (311), once per "
                    "page batch")),
            Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 316, "param"),
            Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 317, "param"),
            Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 318, "param"),
            Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 319, "param"),
            Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 320, "param"),
            Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 321, "param"),
            Source(CARRIER, "TECHNICAL_REFERENCE.md", 155,
                   "docs list only 4 of the 6 parameters (no @CentralDbName, @IntegrationId)"),
        ),
        timeout_seconds="(not set)",
        note="Runs in the Jasper DB and reaches the central DB by name (@CentralDbName).",
    ),
    "usp_Update_TelegenceDeviceMobilityFeature_FromStaging": ProcedureEvidence(
        database=CENTRAL,
        parameters={},
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1491, "central; no parameters"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1497,
                   "CommandTimeout = 800 (set after Open)"),
        ),
        timeout_seconds="800",
        note="No parameters: processes the whole feature staging, not one provider.",
    ),
}

# Lambda environment variables (literal name when visible, else the C# constant).
ENVIRONMENT: dict[str, tuple[Source, ...]] = {
    "AWSEnv": (
        Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 51,
               "device sync: appended to error email subject outside PROD"),
    ),
    "BaseMultiTenantConnectionString": (
        Source(CLEANUP, "KeySysLambdaContext.cs", 87, "TenantRepository connection"),
    ),
    "BillingPeriodMonth": (
        Source(CLEANUP, "KeySysLambdaContext.cs", 89, "optional override"),
    ),
    "BillingPeriodYear": (
        Source(CLEANUP, "KeySysLambdaContext.cs", 90, "optional override"),
    ),
    "CarrierOptimizationQueueURL": (
        Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 53,
               "cleanup: optimization queue URL; blank -> skip send silently (522)"),
        Source(CARRIER, "QueueCarrierPlanOptimization.cs", 44, "consumer reads the same name"),
    ),
    "CleanUpQueueURL": (
        Source(TEAL, "TealHelper.cs", 31,
               ("literal of TealHelper.CommonString.CLEAN_UP_QUEUE_URL: the queue of THIS "
                "cleanup Lambda, as seen from Teal")),
        Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 34, "read by the Teal usage Lambda"),
    ),
    "CleanUpSendEmailRetryCount": (
        Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 47, "optimizer cleanup"),
    ),
    "CommonConstants.AMOP_20_SYNC_UPDATE_API_URL_KEY": (
        Source(CLEANUP, "DailySyncAmopApiTrigger.cs", 19,
               ("constant only (literal env name not visible); "
                "GetStringValueFromEnvironmentVariable throws when blank; called outside any "
                "try")),
    ),
    "CommonConstants.AWS_ENV": (
        Source(CLEANUP, "OptimizationUsageSyncErrorHandler.cs", 62,
               "EmailSender environment (stop email)"),
        Source(CLEANUP, "ThingSpaceDiscrepancyService.cs", 43,
               "EmailSender environment (discrepancy email)"),
    ),
    "ConnectionString": (
        Source(CLEANUP, "KeySysLambdaContext.cs", 86,
               "central DB connection string (CentralDbConnectionString)"),
    ),
    "DestinationQueueURL": (
        Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 46, "device sync: next page queue"),
    ),
    "DeviceNotificationQueueURL": (
        Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 52,
               "cleanup: re-queue URL (Environment.GetEnvironmentVariable)"),
        Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 74,
               "cleanup: ClientContext fallback"),
    ),
    "DeviceSyncQueueURL": (
        Source(CARRIER, "QueueCarrierPlanOptimization.cs", 45,
               "consumer: where it enqueues a device sync when HasSynced is false"),
    ),
    "EnvironmentVariableKeyConstants.DEVICE_SYNC_SUMMARY_LOG_ENABLE": (
        Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 125,
               ("constant only; bool.TryParse without default -> THROWS when "
                "missing/unparsable (AwsFunctionBase.cs:391-401)")),
    ),
    "EnvironmentVariableKeyConstants.DEVICE_SYNC_SUMMARY_LOG_S3_BUCKET_NAME": (
        Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 124,
               ("constant only (literal not visible); read with "
                "GetStringValueFromEnvironmentVariable, which THROWS when blank "
                "(AwsFunctionBase.cs:361-364) - even when logging is disabled")),
    ),
    "EnvironmentVariableKeyConstants.ERROR_NOTIFICATION_EMAIL_RECEIVER": (
        Source(CUSTOMER, "AltaworxSimCardCostMobilityCustomerOptimization.cs", 43, "constant"),
    ),
    "EnvironmentVariableKeyConstants.PORTAL_CONNECTION_STRING": (
        Source(CLEANUP, "ThingSpaceDiscrepancyService.cs", 48,
               "portal DB for GET_TENANT_NAME_BY_ID (ThingSpace discrepancy email)"),
    ),
    "EnvironmentVariableKeyConstants.QUEUES_PER_INSTANCE": (
        Source(CUSTOMER, "AltaworxSimCardCostMobilityCustomerOptimization.cs", 39,
               "mobility customer optimization (constant)"),
    ),
    "ErrorNotificationEmailReceiver": (
        Source(CARRIER, "QueueCarrierPlanOptimization.cs", 49, "consumer"),
    ),
    "ExportDeviceUsageQueueURL": (
        Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 47, "device sync next step"),
    ),
    "JasperDevicesGetPath": (
        Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 45,
               "device sync: Control Center devices path"),
    ),
    "MaxPagesToProcess": (
        Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 50, "device sync"),
    ),
    "OptCustomerCleanUpDelaySeconds": (
        Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 46, "optimizer cleanup"),
    ),
    "OptimizationUsageQueueURL": (
        Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 48,
               "device sync next step (usage by rate plan)"),
    ),
    "ProxyUrl": (
        Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 45,
               "optimizer cleanup (AMOP proxy)"),
    ),
    "QueuesPerInstance": (
        Source(CARRIER, "QueueCarrierPlanOptimization.cs", 48, "consumer"),
    ),
    "RatePlanUpdateQueueURL": (
        Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 49, "device sync next step"),
    ),
    "RedisConnectionString": (
        Source(CLEANUP, "KeySysLambdaContext.cs", 92),
    ),
    "SanityCheckTimeLimit": (
        Source(CARRIER, "AltaworxSimCardCostOptimizer.cs", 27, "optimizer"),
    ),
    "SnowflakeS3BucketName": (
        Source(CLEANUP, "GetDevicesCleanupSqsValues.cs", 91,
               "cleanup: Snowflake stage bucket (history CSV only when both set and M2M)"),
    ),
    "SnowflakeS3BucketPath": (
        Source(CLEANUP, "GetDevicesCleanupSqsValues.cs", 94, "cleanup: key prefix"),
    ),
    "TealDestinationQueueGetDevicesURL": (
        Source(TEAL, "TealHelper.cs", 22, "literal of TEAL_DESTINATION_QUEUE_GET_DEVICES_URL"),
        Source(TEAL, "AltaworxTealAWSGetDevices.cs", 33, "read"),
    ),
    "TealDeviceDataUsageURL": (
        Source(TEAL, "TealHelper.cs", 29, "literal of TEAL_DEVICES_DATA_USAGE_URL"),
        Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 32, "read"),
    ),
    "TealDevicesGetURL": (
        Source(TEAL, "TealHelper.cs", 19,
               "literal of TealHelper.CommonString.TEAL_DEVICES_GET_URL"),
        Source(TEAL, "AltaworxTealAWSGetDevices.cs", 32, "read by Teal device sync"),
    ),
    "TealDeviceUsageQueueURL": (
        Source(TEAL, "TealHelper.cs", 24, "literal of TEAL_DEVICE_USAGE_QUEUE_URL"),
        Source(TEAL, "AltaworxTealAWSGetDevices.cs", 34, "read (devices)"),
        Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 33, "read (usage)"),
    ),
    "VerboseLogging": (
        Source(CLEANUP, "KeySysLambdaContext.cs", 88, "Convert.ToBoolean"),
    ),
    "WatchQueueURL": (
        Source(CARRIER, "AltaworxSimCardCostOptimizerCleanup.cs", 44, "optimizer cleanup"),
    ),
}

# Portal web.config AppSettings keys (not Lambda environment variables).
PORTAL_APP_SETTINGS: dict[str, tuple[Source, ...]] = {
    "Amop20ApiUrl": (
        Source(CUSTOMER, "OptimizationApiController.cs", 2032,
               "portal: base URL of SendResponseToAMOP20 (progress/error)"),
    ),
    "AmopSyncUpdateApiUrl": (
        Source(CUSTOMER, "OptimizationApiController.cs", 2076,
               ("portal: URL of SendTriggerAmopSync (the portal twin of the daily-sync "
                "notification)")),
    ),
    "Published_Environment": (
        Source(CUSTOMER, "OptimizationController.cs", 878, "portal"),
    ),
}

# ServiceProviderSetting keys (SettingsKeys constants: literal key text is not visible).
SETTINGS: dict[str, tuple[Source, ...]] = {
    "ExcludedFANs": (
        Source(CLEANUP, "AwsFunctionBase.cs", 447,
               "literal key, per provider, IsActive = 1 (GetFANFilter)"),
    ),
    "IncludedFANs": (
        Source(CLEANUP, "AwsFunctionBase.cs", 447,
               "literal key, per provider, IsActive = 1 (GetFANFilter)"),
    ),
    "SettingsKeys.SETTINGKEY_AWS_ACCESS_KEY_ID": (
        Source(CLEANUP, "SettingsRepository.cs", 77,
               ("general row (ServiceProviderId IS NULL, IsDeleted = 0) -> "
                "GeneralProviderSettings.AWSAccesKeyID; literal key not visible")),
    ),
    "SettingsKeys.SETTINGKEY_AWS_ACCESS_KEY_ID_SES": (
        Source(CLEANUP, "SettingsRepository.cs", 85,
               ("general row (ServiceProviderId IS NULL, IsDeleted = 0) -> "
                "GeneralProviderSettings.AWSAccesKeyID_SES; literal key not visible")),
    ),
    "SettingsKeys.SETTINGKEY_AWS_SECRET_ACCESS_KEY": (
        Source(CLEANUP, "SettingsRepository.cs", 81,
               ("general row (ServiceProviderId IS NULL, IsDeleted = 0) -> "
                "GeneralProviderSettings.AWSSecretAccessKey (base64); literal key not "
                "visible")),
    ),
    "SettingsKeys.SETTINGKEY_AWS_SECRET_ACCESS_KEY_SES": (
        Source(CLEANUP, "SettingsRepository.cs", 89,
               ("general row (ServiceProviderId IS NULL, IsDeleted = 0) -> "
                "GeneralProviderSettings.AWSSecretAccessKey_SES (base64); literal key not "
                "visible")),
    ),
    "SettingsKeys.SETTINGKEY_CUSTOMERCHARGE_FROMEMAILADDRESS": (
        Source(CLEANUP, "SettingsRepository.cs", 69,
               ("general row (ServiceProviderId IS NULL, IsDeleted = 0) -> "
                "GeneralProviderSettings.CustomerChargeFromEmailAddress; literal key not "
                "visible")),
    ),
    "SettingsKeys.SETTINGKEY_CUSTOMERCHARGE_RESULTSEMAILSUBJECT": (
        Source(CLEANUP, "SettingsRepository.cs", 73,
               ("general row (ServiceProviderId IS NULL, IsDeleted = 0) -> "
                "GeneralProviderSettings.CustomerChargeResultsEmailSubject; literal key not "
                "visible")),
    ),
    "SettingsKeys.SETTINGKEY_CUSTOMERCHARGE_TOEMAILADDRESSES": (
        Source(CLEANUP, "SettingsRepository.cs", 65,
               ("general row (ServiceProviderId IS NULL, IsDeleted = 0) -> "
                "GeneralProviderSettings.CustomerChargeToEmailAddresses; literal key not "
                "visible")),
    ),
    "SettingsKeys.SETTINGKEY_DEVICESYNC_ERROREMAILSUBJECT": (
        Source(CLEANUP, "SettingsRepository.cs", 61,
               ("general row (ServiceProviderId IS NULL, IsDeleted = 0) -> "
                "GeneralProviderSettings.DeviceSyncErrorEmailSubject (unused by the "
                "cleanup); literal key not visible")),
    ),
    "SettingsKeys.SETTINGKEY_DEVICESYNC_FROMEMAILADDRESS": (
        Source(CLEANUP, "SettingsRepository.cs", 53,
               ("general row (ServiceProviderId IS NULL, IsDeleted = 0) -> "
                "GeneralProviderSettings.DeviceSyncFromEmailAddress; literal key not visible")),
    ),
    "SettingsKeys.SETTINGKEY_DEVICESYNC_RESULTSEMAILSUBJECT": (
        Source(CLEANUP, "SettingsRepository.cs", 57,
               ("general row (ServiceProviderId IS NULL, IsDeleted = 0) -> "
                "GeneralProviderSettings.DeviceSyncResultsEmailSubject ('Jasper' replaced by "
                "Integration.Name); literal key not visible")),
    ),
    "SettingsKeys.SETTINGKEY_DEVICESYNC_TOEMAILADDRESSES": (
        Source(CLEANUP, "SettingsRepository.cs", 49,
               ("general row (ServiceProviderId IS NULL, IsDeleted = 0) -> "
                "GeneralProviderSettings.DeviceSyncToEmailAddresses (';'-separated "
                "recipients); literal key not visible")),
    ),
    "SettingsKeys.SETTINGKEY_EBONDING_ADDITIONAL_API_CREDENTIALS": (
        Source(CLEANUP, "SettingsRepository.cs", 347,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_EBONDING_FTP_PASSWORD": (
        Source(CLEANUP, "SettingsRepository.cs", 343,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_EBONDING_FTP_PATH": (
        Source(CLEANUP, "SettingsRepository.cs", 335,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_EBONDING_FTP_SERVER": (
        Source(CLEANUP, "SettingsRepository.cs", 331,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_EBONDING_FTP_USERNAME": (
        Source(CLEANUP, "SettingsRepository.cs", 339,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_JASPER_DB_CONNECTION_STRING": (
        Source(CLEANUP, "SettingsRepository.cs", 93,
               ("general row (ServiceProviderId IS NULL, IsDeleted = 0) -> "
                "GeneralProviderSettings.JasperDbConnectionString - the Jasper database is "
                "configured by a GENERAL setting row; literal key not visible")),
    ),
    "SettingsKeys.SETTINGKEY_JASPER_EXPORT_MAILBOX_ALIAS": (
        Source(CLEANUP, "SettingsRepository.cs", 193,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_JASPER_EXPORT_MAILBOX_PASSWORD": (
        Source(CLEANUP, "SettingsRepository.cs", 189,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_JASPER_EXPORT_MAILBOX_PORT": (
        Source(CLEANUP, "SettingsRepository.cs", 181,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_JASPER_EXPORT_MAILBOX_SERVER": (
        Source(CLEANUP, "SettingsRepository.cs", 177,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_JASPER_EXPORT_MAILBOX_USERNAME": (
        Source(CLEANUP, "SettingsRepository.cs", 185,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_JASPER_FTP_PASSWORD": (
        Source(CLEANUP, "SettingsRepository.cs", 209,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_JASPER_FTP_PATH": (
        Source(CLEANUP, "SettingsRepository.cs", 201,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_JASPER_FTP_SERVER": (
        Source(CLEANUP, "SettingsRepository.cs", 197,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_JASPER_FTP_USERNAME": (
        Source(CLEANUP, "SettingsRepository.cs", 205,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_JASPER_TRANSACTION_REPORT_PATH": (
        Source(CLEANUP, "SettingsRepository.cs", 213,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_JASPER_UI_ADDRESS": (
        Source(CLEANUP, "SettingsRepository.cs", 173,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_JASPER_UI_PASSWORD": (
        Source(CLEANUP, "SettingsRepository.cs", 169,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_JASPER_UI_USERNAME": (
        Source(CLEANUP, "SettingsRepository.cs", 165,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_JASPER_USES_PRORATION": (
        Source(CLEANUP, "SettingsRepository.cs", 221,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_JASPER_WRITE_BILLING_ACCOUNT_INFO": (
        Source(CLEANUP, "SettingsRepository.cs", 217,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_POND_SFTP_PASSWORD": (
        Source(CLEANUP, "SettingsRepository.cs", 400,
               "Pond via GET_DEVICE_SETTINGS_BY_SERVICE_PROVIDER; literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_POND_SFTP_PATH": (
        Source(CLEANUP, "SettingsRepository.cs", 392,
               "Pond via GET_DEVICE_SETTINGS_BY_SERVICE_PROVIDER; literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_POND_SFTP_SERVER": (
        Source(CLEANUP, "SettingsRepository.cs", 388,
               "Pond via GET_DEVICE_SETTINGS_BY_SERVICE_PROVIDER; literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_POND_SFTP_USERNAME": (
        Source(CLEANUP, "SettingsRepository.cs", 396,
               "Pond via GET_DEVICE_SETTINGS_BY_SERVICE_PROVIDER; literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_TELEGENCE_FTP_FINAL_USAGE_PATH": (
        Source(CLEANUP, "SettingsRepository.cs", 266,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_TELEGENCE_FTP_MUBU_PATH": (
        Source(CLEANUP, "SettingsRepository.cs", 262,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_TELEGENCE_FTP_PASSWORD": (
        Source(CLEANUP, "SettingsRepository.cs", 274,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_TELEGENCE_FTP_PATH": (
        Source(CLEANUP, "SettingsRepository.cs", 258,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_TELEGENCE_FTP_SERVER": (
        Source(CLEANUP, "SettingsRepository.cs", 254,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_TELEGENCE_FTP_USERNAME": (
        Source(CLEANUP, "SettingsRepository.cs", 270,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_TELEGENCE_KAFKA_BOOTSTRAP_SERVER": (
        Source(CLEANUP, "SettingsRepository.cs", 278,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_TELEGENCE_KAFKA_CONSUMER_GROUP_ID": (
        Source(CLEANUP, "SettingsRepository.cs", 294,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_TELEGENCE_KAFKA_OAUTH_BEARER_CLIENT_ID": (
        Source(CLEANUP, "SettingsRepository.cs", 286,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_TELEGENCE_KAFKA_OAUTH_BEARER_CLIENT_SECRET": (
        Source(CLEANUP, "SettingsRepository.cs", 290,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_TELEGENCE_KAFKA_OAUTH_BEARER_TOKEN_ENDPOINT": (
        Source(CLEANUP, "SettingsRepository.cs", 282,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
    "SettingsKeys.SETTINGKEY_TELEGENCE_KAFKA_TOPIC_NAME": (
        Source(CLEANUP, "SettingsRepository.cs", 298,
               "per-provider row (ServiceProviderId = @id); literal key not visible"),
    ),
}

# Optimization settings (rows of the optimization-settings procedure / OptimizationSetting).
OPTIMIZATION_SETTINGS: dict[str, tuple[Source, ...]] = {
    "CustomerOptimizationFromEmailAddress": (
        Source(CUSTOMER, "OptimizationApiController.cs", 832,
               "literal key in OptimizationSetting (portal EF)"),
    ),
    "CustomerOptimizationToEmailAddresses": (
        Source(CUSTOMER, "OptimizationApiController.cs", 830,
               "literal key in OptimizationSetting (portal EF)"),
    ),
    "SettingsKeys.OPTIMIZATION_SYNC_DEVICE_ERROR_EMAIL_SUBJECT": (
        Source(CLEANUP, "SettingsRepository.cs", 486,
               ("optimization-settings procedure row -> "
                "OptimizationSettings.OptimizationSyncDeviceErrorEmailSubject (stop email "
                "subject, string.Format with ServiceProvider.Name); literal key not visible")),
    ),
    "SettingsKeys.SETTINGKEY_AUTO_UPDATE_RATE_PLANS": (
        Source(CLEANUP, "SettingsRepository.cs", 495,
               ("optimization-settings procedure row -> "
                "OptimizationSettings.CanAutoUpdateRatePlans ('1'/'true'); literal key not "
                "visible")),
    ),
    "SettingsKeys.SETTINGKEY_BCC_EMAIL_ADDRESSES": (
        Source(CLEANUP, "SettingsRepository.cs", 477,
               ("optimization-settings procedure row -> "
                "OptimizationSettings.BccEmailAddresses; literal key not visible")),
    ),
    "SettingsKeys.SETTINGKEY_CUSTOMER_EMAIL_SUBJECT": (
        Source(CLEANUP, "SettingsRepository.cs", 483,
               ("optimization-settings procedure row -> "
                "OptimizationSettings.ResultsCustomerEmailSubject; literal key not visible")),
    ),
    "SettingsKeys.SETTINGKEY_CUSTOMER_FROM_EMAIL_ADDRESS": (
        Source(CLEANUP, "SettingsRepository.cs", 492,
               ("optimization-settings procedure row -> "
                "OptimizationSettings.CustomerFromEmailAddress; literal key not visible")),
    ),
    "SettingsKeys.SETTINGKEY_CUSTOMER_TO_EMAIL_ADDRESSES": (
        Source(CLEANUP, "SettingsRepository.cs", 489,
               ("optimization-settings procedure row -> "
                "OptimizationSettings.CustomerToEmailAddresses; literal key not visible")),
    ),
    "SettingsKeys.SETTINGKEY_EMAIL_SUBJECT": (
        Source(CLEANUP, "SettingsRepository.cs", 468,
               ("optimization-settings procedure row -> "
                "OptimizationSettings.ResultsEmailSubject; literal key not visible")),
    ),
    "SettingsKeys.SETTINGKEY_FROM_EMAIL_ADDRESS": (
        Source(CLEANUP, "SettingsRepository.cs", 474,
               ("optimization-settings procedure row -> "
                "OptimizationSettings.FromEmailAddress; literal key not visible")),
    ),
    "SettingsKeys.SETTINGKEY_GO_RATE_PLAN_UPDATE_EMAIL_SUBJECT": (
        Source(CLEANUP, "SettingsRepository.cs", 519,
               ("optimization-settings procedure row -> "
                "OptimizationSettings.GoForRatePlanUpdateEmailSubject; literal key not "
                "visible")),
    ),
    "SettingsKeys.SETTINGKEY_LINUX_TIME_ZONE": (
        Source(CLEANUP, "SettingsRepository.cs", 462,
               ("optimization-settings procedure row -> "
                "OptimizationSettings.LinuxTimeZoneName -> BillingTimeZone; literal key not "
                "visible")),
    ),
    "SettingsKeys.SETTINGKEY_NOGO_RATE_PLAN_UPDATE_EMAIL_SUBJECT": (
        Source(CLEANUP, "SettingsRepository.cs", 522,
               ("optimization-settings procedure row -> "
                "OptimizationSettings.NoGoForRatePlanUpdateEmailSubject; literal key not "
                "visible")),
    ),
    "SettingsKeys.SETTINGKEY_OPT_INTO_CROSS_PROVIDER_CUSTOMER_OPTIMIZATION": (
        Source(CLEANUP, "SettingsRepository.cs", 536,
               ("optimization-settings procedure row -> "
                "OptimizationSettings.OptIntoCrossProviderCustomerOptimization; literal key "
                "not visible")),
    ),
    "SettingsKeys.SETTINGKEY_OPT_INTO_LAST_DAY_OPTIMIZATION": (
        Source(CLEANUP, "SettingsRepository.cs", 507,
               ("optimization-settings procedure row -> "
                "OptimizationSettings.OptIntoContinuousLastDayOptimization; literal key not "
                "visible")),
    ),
    "SettingsKeys.SETTINGKEY_OPTIMIZATION_OU": (
        Source(CLEANUP, "SettingsRepository.cs", 480,
               ("optimization-settings procedure row -> OptimizationSettings.ExecutionOU; "
                "literal key not visible")),
    ),
    "SettingsKeys.SETTINGKEY_PERMUTATION_LIMIT": (
        Source(CLEANUP, "SettingsRepository.cs", 547,
               ("optimization-settings procedure row -> "
                "OptimizationSettings.PermutationLimit; literal key not visible")),
    ),
    "SettingsKeys.SETTINGKEY_TO_EMAIL_ADDRESSES": (
        Source(CLEANUP, "SettingsRepository.cs", 471,
               ("optimization-settings procedure row -> "
                "OptimizationSettings.ToEmailAddresses; literal key not visible")),
    ),
    "SettingsKeys.SETTINGKEY_USING_NEW_PROCESS_IN_CUSTOMER_CHARGE": (
        Source(CLEANUP, "SettingsRepository.cs", 525,
               ("optimization-settings procedure row -> "
                "OptimizationSettings.UsingNewProcessInCustomerCharge; literal key not "
                "visible")),
    ),
    "SettingsKeys.SETTINGKEY_WINDOWS_TIME_ZONE": (
        Source(CLEANUP, "SettingsRepository.cs", 465,
               ("optimization-settings procedure row -> "
                "OptimizationSettings.WindowsTimeZoneName (fallback); literal key not "
                "visible")),
    ),
}

# Names that occur only in Carrier_Optimization/*.md, never in code.
DOCS_ONLY: dict[str, tuple[Source, ...]] = {
    "CarrierRatePlan": (
        Source(CARRIER, "OPERATIONS_GUIDE.md", 353,
               "named only in a *.md doc; no code uses it (likely invented)"),
    ),
    "CommPlanGroup": (
        Source(CARRIER, "README.md", 113,
               "named only in a *.md doc; no code uses it (likely invented)"),
    ),
    "device_assignments": (
        Source(CARRIER, "carrier_optimization_detailed_logic.md", 576,
               "named only in a *.md doc; no code uses it (likely invented)"),
    ),
    "optimization_groups": (
        Source(CARRIER, "carrier_optimization_detailed_logic.md", 558,
               "named only in a *.md doc; no code uses it (likely invented)"),
    ),
    "optimization_sessions": (
        Source(CARRIER, "carrier_optimization_detailed_logic.md", 539,
               "named only in a *.md doc; no code uses it (likely invented)"),
    ),
    "OptimizationM2MDeviceResult": (
        Source(CARRIER, "OPERATIONS_GUIDE.md", 322,
               "named only in a *.md doc; no code uses it (likely invented)"),
    ),
    "OptimizationSimCard": (
        Source(CARRIER, "README.md", 108,
               "named only in a *.md doc; no code uses it (likely invented)"),
    ),
    "usp_Calculate_Usage_Statistics": (
        Source(CARRIER, "carrier_optimization_detailed_logic.md", 624,
               "named only in a *.md doc; no code uses it (likely invented)"),
    ),
}

# Behaviour worth citing in code comments (each line checked).
FACTS: dict[str, Fact] = {
    "consumer_session_id_skips_running_check": Fact(
        text=("Consumer: a message carrying OptimizationSessionId skips the 'optimization "
              "already running' check entirely; only messages without it call "
              "IsOptimizationRunning (and, if running, send the '[Warning] Carrier Plan "
              "Optimization: Optimization Is Already Running' email and stop)."),
        sources=(
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 224,
                   "if (!ContainsKey(\"OptimizationSessionId\"))"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 226,
                   "IsOptimizationRunning(context, tenantId)"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 258, "warning subject"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 266,
                   "else: just parse the given session id"),
        ),
    ),
    "consumer_duplicate_message_not_harmless": Fact(
        text=("Consumer: with HasSynced = True it goes straight to "
              "RunOptimizationByPortalType, which always INSERTs a new OptimizationInstance "
              "for the session (no lookup of an existing instance), builds comm "
              "groups/queues, enqueues optimizer runs and a cleanup. A duplicate message "
              "therefore creates a second instance and a second set of queues/results/emails "
              "for the same session; nothing in the four repos makes it harmless."),
        sources=(
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 270,
                   "HasSynced parsed; missing/invalid -> false"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 313, "RunOptimizationByPortalType"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 328,
                   "StartOptimizationInstance(...) every time"),
            Source(CUSTOMER, "AWSFunctionBase.cs", 1845,
                   "StartOptimizationInstance = plain INSERT INTO OptimizationInstance"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 569,
                   "EnqueueOptimizationRunsAsync"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 572, "EnqueueCleanup"),
        ),
    ),
    "consumer_not_synced_path": Fact(
        text=("Consumer: HasSynced false/missing -> progress 20, delete the provider's "
              "Jasper staging (device + usage) on the Jasper DB and enqueue a device sync "
              "(page 1, lastSyncDate = now - 1 month - 1 day, NextStep "
              "DEVICE_USAGE_BY_RATE_PLAN, with the session id)."),
        sources=(
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 274, "if (!hasSynced)"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 281,
                   "TruncateStagingTables(.., JasperDbConnectionString, serviceProviderId)"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 283, "lastSyncDate"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 285,
                   "EnqueueGetDeviceListAsync(_deviceSyncQueueUrl, ...)"),
        ),
    ),
    "consumer_attributes_read": Fact(
        text=("Consumer reads only ServiceProviderId, BillPeriodId (int.TryParse), TenantId "
              "(int.Parse - required, throws when missing), OptimizationSessionId, HasSynced "
              "and optional PortalTypeId (default M2M); BillYear and BillMonth are NOT read."),
        sources=(
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 195, "ServiceProviderId required"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 210, "BillPeriodId TryParse"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 220, "TenantId int.Parse"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 301, "PORTAL_TYPE_ID optional"),
        ),
    ),
    "consumer_progress_calls": Fact(
        text=("Consumer treats the run as 'auto carrier optimization' (and sends AMOP 2.0 "
              "progress) only when the message has BOTH OptimizationSessionId and HasSynced; "
              "progress values it sends: 0 (new session), 20 (before sync), 30, 40, 50; "
              "errors as job_name 'ErrorMessage'."),
        sources=(
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 82, "isAutoCarrierOptimization"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 251, "Progress 0"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 278, "Progress 20"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 298, "Progress 30"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 316, "Progress 50"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 354, "Progress 40"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 500,
                   "ErrorMessage (invalid rate plans)"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 579,
                   "ErrorMessage (no comm groups/rate plans)"),
        ),
    ),
    "amop20_progress_call": Fact(
        text=("OptimizationAmopApiTrigger.SendResponseToAMOP20(context, jobName, sessionId, "
              "sessionGuid, deviceCount, errorMessage, progress, customerId, additionalJson) "
              "- class not in the four repos; the portal twin builds {\"data\":{path, "
              "job_name, SessionId, OptimizationSessionGuid, ErrorMessage, Progress, "
              "CustomerId, AdditionalJson, DeviceCount}} with path "
              "'/get_optimization_progress_bar_data' for 'Progress' and "
              "'/get_optimization_error_details_data' otherwise, POSTed to "
              "AppSettings['Amop20ApiUrl'] (the path goes in the body; the POST goes to the "
              "base URL)."),
        sources=(
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 251, "Lambda call shape"),
            Source(CUSTOMER, "OptimizationApiController.cs", 2032, "portal URL source"),
            Source(CUSTOMER, "OptimizationApiController.cs", 2037, "progress path"),
            Source(CUSTOMER, "OptimizationApiController.cs", 2038, "error path"),
            Source(CUSTOMER, "OptimizationApiController.cs", 2045, "job_name"),
            Source(CUSTOMER, "OptimizationApiController.cs", 2052, "DeviceCount"),
            Source(CUSTOMER, "OptimizationApiController.cs", 2058, "POST to BaseAddress"),
        ),
    ),
    "consumer_additional_data": Fact(
        text=("Consumer's additionalData for a NEW session (no OptimizationSessionId): "
              "{\"data\":{BillPeriodId, SiteId:0, ServiceProviderId, OptimizationType:0, "
              "OptimizationFrom:\"group\", BillingPeriodStartDate, BillingPeriodEndDate, "
              "DeviceCount:0, TenantId}}; when the message carries a session id, "
              "additionalData stays null."),
        sources=(
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 223, "additionalData = null"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 236, "BillPeriodId"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 240, "OptimizationFrom"),
            Source(CARRIER, "QueueCarrierPlanOptimization.cs", 244, "TenantId"),
        ),
    ),
    "daily_sync_notification": Fact(
        text=("Daily-sync notification (cleanup): POST to the URL in env "
              "CommonConstants.AMOP_20_SYNC_UPDATE_API_URL_KEY, header Accept: "
              "application/json, body built by string concatenation: {\"data\": { "
              "\"key_name\": \"<key>\",\"tenant_id\": \"<tenantId or "
              "empty>\",\"tenant_name\": \"\"}} (tenantName passed null). Runs after "
              "ProcessEventAsync for every invocation, outside any try; GetServiceProvider "
              "returning null (unknown provider) throws there."),
        sources=(
            Source(CLEANUP, "DailySyncAmopApiTrigger.cs", 19, "URL from env constant"),
            Source(CLEANUP, "DailySyncAmopApiTrigger.cs", 23, "Accept header"),
            Source(CLEANUP, "DailySyncAmopApiTrigger.cs", 25, "JSON body"),
            Source(CLEANUP, "DailySyncAmopApiTrigger.cs", 27, "PostAsync(BaseAddress).Result"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 117,
                   "GetServiceProvider (null when no row)"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 118, "tenantName null"),
        ),
    ),
    "portal_daily_sync_twin": Fact(
        text=("Portal twin of the daily-sync notification differs: body has a 'path': "
              "'/lambda_sync_jobs_' field and tenant_id as a JSON number (anonymous object "
              "serialized), URL from AppSettings['AmopSyncUpdateApiUrl']."),
        sources=(
            Source(CUSTOMER, "OptimizationApiController.cs", 2083, "path"),
            Source(CUSTOMER, "OptimizationApiController.cs", 2091, "tenant_id"),
        ),
    ),
    "cleanup_stop_path": Fact(
        text=("Cleanup stop path: ProcessStopCarrierOptimization runs only when "
              "ShouldQueueCarrierOptimization is true and the optimization message was not "
              "sent; it does not check OptimizationSessionId > 0. Email subject "
              "string.Format(OptimizationSettings.OptimizationSyncDeviceErrorEmailSubject, "
              "serviceProvider.Name); body "
              "<h2>{CARRIER_OPTIMIZATION_SYNC_DEVICE_ERROR}</h2><p>{string.Format(CARRIER"
              "_OPTIMIZATION_SYNC_DEVICE_ERROR_EMAIL_BODY, name)}</p><p>{ERROR_DETAILS}: "
              "{errorMessage}</p>; from DeviceSyncFromEmailAddress to "
              "DeviceSyncToEmailAddresses via EmailSender(client, logger, AWS_ENV). "
              "LogCommonStrings literal texts are not in any of the four repos."),
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 241, "condition"),
            Source(CLEANUP, "OptimizationUsageSyncErrorHandler.cs", 30, "subject"),
            Source(CLEANUP, "OptimizationUsageSyncErrorHandler.cs", 48, "html h2"),
            Source(CLEANUP, "OptimizationUsageSyncErrorHandler.cs", 50, "error details"),
            Source(CLEANUP, "OptimizationUsageSyncErrorHandler.cs", 64, "sender"),
            Source(CLEANUP, "OptimizationUsageSyncErrorHandler.cs", 65, "recipients"),
        ),
    ),
    "requeue_drops_optimization": Fact(
        text=("Rows-to-process wait: the re-queued message carries only RetryCount, "
              "IntegrationType, ServiceProviderId, DelayBetweenRetries, MaxRetries, "
              "RemainingRowsToProcess (DataType Number) - ShouldQueueCarrierOptimization and "
              "OptimizationSessionId are dropped."),
        sources=(
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1418, "RetryCount"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1423, "RemainingRowsToProcess"),
            Source(CLEANUP, "AltaworxJasperGetDevicesCleanup.cs", 1425, "body"),
        ),
    ),
    "teal_handover_message": Fact(
        text=("Teal hands over to the cleanup with attributes RetryCount=0, "
              "IntegrationType=(int)Teal, ServiceProviderId only (DataType String, body "
              "LogCommonStrings.END_PROCESS_GET_DEVICES) - never "
              "ShouldQueueCarrierOptimization. No code in the four repos sends "
              "ShouldQueueCarrierOptimization=true to the cleanup."),
        sources=(
            Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 373, "RetryCount"),
            Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 374, "IntegrationType"),
            Source(TEAL, "AltaworxTealAWSGetDeviceUsage.cs", 375, "ServiceProviderId"),
        ),
    ),
    "bulk_copy_by_ordinal": Fact(
        text=("SqlBulkCopy helper of the Lambdas adds column mappings only when given; "
              "JasperDeviceStaging and the Teal staging tables are copied WITHOUT mappings, "
              "i.e. by ordinal position."),
        sources=(
            Source(CLEANUP, "AwsFunctionBase.cs", 307, "mappings only if provided"),
            Source(CARRIER, "AltaworxJasperAWSGetDevicesQueue.cs", 182, "no mappings passed"),
            Source(TEAL, "AltaworxTealAWSGetDevices.cs", 255, "no mappings passed"),
        ),
    ),
    "integration_ids": Fact(
        text=("Integration ids visible: Jasper = 1 (optimizer WHERE sp.IntegrationId = 1); "
              "Teal = 12 and Teal 'Activated' DeviceStatus id 59 appear only in a procedure "
              "body stored in a Pond repo (see OUTSIDE_LEADS)."),
        sources=(
            Source(CUSTOMER, "AWSFunctionBase.cs", 2658, "IntegrationId = 1"),
        ),
    ),
    'thingspace_sync_merges_after_last_page': Fact(
        text=('The ThingSpace device sync (AltaworxThingSpaceAWSGetDevices) bulk-copies each '
              "API page into ThingSpaceDeviceStaging. After a provider's last page "
              '(isLastCycle) it runs usp_ThingSpace_Update_Device(@BillMonthCurrent, '
              '@BillYearCurrent, @ServiceProviderId), then '
              'usp_ThingSpace_Update_DeviceDetail(@ServiceProviderId), under a SQL transient '
              'retry. It then sends the usage queue (env DeviceUsageQueueURL) '
              "InitializeProcessing='True', GroupNumber='0', ServiceProviderId (all String, "
              "5 s delay, body 'Requesting email to process'), and moves to the next "
              'ThingSpace provider. It does NOT message the cleanup; per a doc quote, the '
              'ThingSpace USAGE Lambda does that (see OUTSIDE_LEADS).'),
        sources=(
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 227,
                   'bulk copy'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 231,
                   'if (isLastCycle)'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 233,
                   'UpdateThingSpaceDevicesWithPolicy'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 236,
                   'SendMessageToGetDeviceUsageQueue'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 600,
                   '"InitializeProcessing" attribute'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 606,
                   '"GroupNumber" attribute (0)'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 612,
                   '"ServiceProviderId" attribute'),
        ),
    ),
    'thingspace_staging_truncated_once_per_run': Fact(
        text=('ThingSpace staging is truncated only when a run starts '
              "(CurrentServiceProviderId == 0). Later providers' pages accumulate in the "
              'same ThingSpaceDeviceStaging, so usp_ThingSpace_Update_Device must filter by '
              '@ServiceProviderId itself (its body is not public).'),
        sources=(
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 97,
                   'if (sqsValues.CurrentServiceProviderId == 0)'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices.cs', 111,
                   'TruncateThingSpaceDeviceAndUsageStagingWithPolicy'),
        ),
    ),
    'telegence_merge_is_done_by_the_cleanup': Fact(
        text=('Telegence: the device sync (TelegenceAWSGetDevices) only fills '
              'TelegenceDeviceStaging, the BAN staging and the not-exists re-check. It never '
              'calls usp_Telegence_Update_Device; the cleanup does, after checking staging '
              'has rows. After the last page and the re-check it messages the usage queue '
              "(InitializeProcessing='True') and the detail queue "
              "(InitializeProcessing='True', GroupNumber='0'). With no devices at all it "
              'messages only the usage queue.'),
        sources=(
            Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 693,
                   'SendMessageToGetDeviceUsageQueueAsync'),
            Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 694,
                   'SendMessageToGetDeviceDetailQueueAsync'),
            Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 941,
                   'usage message attribute InitializeProcessing = True'),
            Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 968,
                   'detail message InitializeProcessing = True'),
            Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 969,
                   'detail message GroupNumber = 0'),
            Source(TELEGENCE_DEVICES, 'AltaworxTelegenceAWSGetDevices.cs', 517,
                   'no devices: usage queue only'),
        ),
    ),
    'telegence_usage_notifies_cleanup': Fact(
        text=('Telegence: the usage Lambda sends the cleanup (env '
              'TelegenceDeviceNotificationQueueURL) one message per Telegence provider at '
              "the START of a daily usage run, right after queuing that provider's FAN "
              'files. It is not sent for CloudWatch-triggered runs. DelaySeconds = 900 and '
              "body 'Sending device sync cleanup/notification message'. Attributes: "
              "RetryCount='0' (String), IntegrationType=(int)Telegence (String), "
              "ServiceProviderId (String), DelayBetweenRetries='900' (Number), "
              'MaxRetries=env DeviceCleanupMaxRetries (Number). No '
              'ShouldQueueCarrierOptimization.'),
        sources=(
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1567,
                   'if (!fromCloudwatchEvent)'),
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 1570,
                   'SendNotificationMessageToQueueAsync'),
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 2176,
                   'DelaySeconds = SQSMaxDelaySeconds (900, line 48)'),
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 2179,
                   'RetryCount'),
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 2180,
                   'IntegrationType'),
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 2181,
                   'ServiceProviderId'),
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 2182,
                   'DelayBetweenRetries (Number)'),
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 2183,
                   'MaxRetries (Number)'),
            Source(TELEGENCE_USAGE, 'AltaworxTelegenceAWSGetDeviceUsage.cs', 2185,
                   'MessageBody'),
        ),
    ),
    'telegence_update_device_merge': Fact(
        text=('usp_Telegence_Update_Device (full body): one transaction. MERGE '
              'TelegenceDevice ON SubscriberNumber only, so a subscriber number seen under '
              'another provider is moved to this provider. It inserts only rows of '
              "@ServiceProviderId. The provider's devices absent from the whole staging get "
              'FailedSyncCount + 1 while it is <= 3. Above 3 they become Unknown '
              "(DeviceStatusId of 'Unknown'/IntegrationId 6, SubscriberNumberStatus "
              "'Unknown', OldDeviceStatusId kept, FailedSyncCount NULL). None is deleted."),
        sources=(
            Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 14,
                   'BEGIN TRANSACTION'),
            Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 57,
                   'ON TARGET.SubscriberNumber = SOURCE.SubscriberNumber'),
            Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 85,
                   'NOT MATCHED BY TARGET AND SOURCE.ServiceProviderId = @ServiceProviderId'),
            Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 120,
                   'FailedSyncCount + 1'),
            Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 128,
                   'DeviceStatusId = @UnknownStatusId'),
            Source(TELEGENCE_CARRIER, 'usp_Telegence_Update_Device.sql', 135,
                   'COALESCE([FailedSyncCount], 0) > 3'),
        ),
    ),
    'telegence_detail_flow': Fact(
        text=('Telegence details: a daily message (InitializeProcessing=True) runs '
              'usp_Telegence_Devices_GetDetailFilter(@BatchSize). It then truncates '
              'TelegenceDeviceMobilityFeature_Staging and sends one message per GroupNumber '
              '0..MAX. Each group reads TOP BatchSize undeleted rows of '
              'TelegenceDeviceDetailIdsToProcess, calls the API per subscriber and '
              'bulk-copies TelegenceDeviceDetailStaging and the feature staging. Staged rows '
              "(and failures) are marked IsDeleted = 1, and the group's message is re-sent. "
              'The detail Lambda never messages the cleanup.'),
        sources=(
            Source(TELEGENCE_DETAILS, 'AltaworxTelegenceAWSGetDeviceDetails.cs', 135,
                   'GetDetailFilter'),
            Source(TELEGENCE_DETAILS, 'AltaworxTelegenceAWSGetDeviceDetails.cs', 176,
                   'RemovePreviouslyStagedFeatures'),
            Source(TELEGENCE_DETAILS, 'AltaworxTelegenceAWSGetDeviceDetails.cs', 232,
                   'batch SELECT'),
            Source(TELEGENCE_DETAILS, 'AltaworxTelegenceAWSGetDeviceDetails.cs', 325,
                   'bulk copy'),
            Source(TELEGENCE_DETAILS, 'AltaworxTelegenceAWSGetDeviceDetails.cs', 328,
                   'RemoveStagedDevices'),
            Source(TELEGENCE_DETAILS, 'AltaworxTelegenceAWSGetDeviceDetails.cs', 338,
                   're-send group message'),
        ),
    ),
    'teal_absent_devices_unknown': Fact(
        text=('Teal: usp_Teal_Update_Device_From_Staging MERGEs TealDevice ON EID AND '
              'IsActive = 1 (not per provider). WHEN NOT MATCHED BY SOURCE AND '
              'TARGET.ServiceProviderId = @ServiceProviderId it sets DeviceStatusId 67, '
              "OldDeviceStatusId, DeviceStatus 'Unknown', ModifiedBy/ModifiedDate. Absent "
              'Teal devices are marked Unknown, not deleted. Staging rows whose status text '
              'has no DeviceStatus row for IntegrationId 12 never reach the MERGE source '
              '(WHERE on the LEFT JOINed table), so those devices are then also set Unknown.'),
        sources=(
            Source(POND_STATUS, 'Stored Procedures.cs', 83,
                   'ON EID AND IsActive = 1'),
            Source(POND_STATUS, 'Stored Procedures.cs', 78,
                   'AND [DeviceStatus].[IntegrationId] = @TealIntegrationId'),
            Source(POND_STATUS, 'Stored Procedures.cs', 168,
                   'NOT MATCHED BY SOURCE'),
            Source(POND_STATUS, 'Stored Procedures.cs', 172,
                   'DeviceStatusId = @UnknownStatusId (67, line 13)'),
            Source(POND_STATUS, 'Stored Procedures.cs', 174,
                   'DeviceStatus = @UnknownStatus'),
        ),
    ),
    'teal_audit_month_year_swapped': Fact(
        text=('usp_Teal_Update_Device_From_Staging inserts TealDeviceSyncAudit with the '
              'column list (..., BillYear, BillMonth, ...) but the values (..., '
              '@BillingMonth, @BillingYear, ...): month and year are swapped. The QueueCount '
              'of TealDeviceDetailLastSyncDate is COUNT(1) of the whole TealDeviceStaging '
              '(all providers).'),
        sources=(
            Source(POND_STATUS, 'Stored Procedures.cs', 201,
                   '[BillYear]'),
            Source(POND_STATUS, 'Stored Procedures.cs', 202,
                   '[BillMonth]'),
            Source(POND_STATUS, 'Stored Procedures.cs', 212,
                   '@BillingMonth'),
            Source(POND_STATUS, 'Stored Procedures.cs', 213,
                   '@BillingYear'),
            Source(POND_STATUS, 'Stored Procedures.cs', 28,
                   'FROM [dbo].[TealDeviceStaging] (no provider filter)'),
        ),
    ),
    'pond_usage_notifies_cleanup': Fact(
        text=('Pond: the usage Lambda runs POND_UPDATE_DEVICE_USAGE_FROM_STAGING (step 1), '
              'then step 2. For a CloudWatch (hourly) run, step 2 runs POND_DEVICE_SYNC '
              'itself. Otherwise it messages the cleanup queue (env via '
              "PondHelper.CommonString.CLEAN_UP_QUEUE_URL_VARIABLE_KEY) with RetryCount='0', "
              'IntegrationType=(int)Pond, ServiceProviderId: String DataType, keys via '
              'SQSMessageKeyConstant constants, body '
              'LogCommonStrings.END_PROCESS_GET_DEVICES, no DelaySeconds.'),
        sources=(
            Source(POND_USAGE, 'AltaworxPondGetDeviceUsage.cs', 170,
                   'UpdatePondUsageFromStaging'),
            Source(POND_USAGE, 'AltaworxPondGetDeviceUsage.cs', 177,
                   'UpdateDeviceUsageFromPond'),
            Source(POND_USAGE, 'AltaworxPondGetDeviceUsage.cs', 181,
                   'SendMessageToJasperDeviceCleanUpQueue'),
            Source(POND_USAGE, 'AltaworxPondGetDeviceUsage.cs', 1096,
                   'RETRY_COUNT'),
            Source(POND_USAGE, 'AltaworxPondGetDeviceUsage.cs', 1097,
                   'INTEGRATION_TYPE Pond'),
            Source(POND_USAGE, 'AltaworxPondGetDeviceUsage.cs', 1098,
                   'SERVICE_PROVIDER_ID'),
            Source(POND_USAGE, 'AltaworxPondGetDeviceUsage.cs', 1100,
                   'MessageBody'),
        ),
    ),
    'pond_device_status_flow': Fact(
        text=('Pond device status: AltaworxPondProcessStagedDeviceStatus waits until '
              'POND_COUNT_REMAINING_DEVICE_STATUS_TO_PROCESS returns 0. Then, for each '
              'provider with staged statuses, it runs '
              'POND_UPDATE_DEVICE_STATUS(serviceProviderId, BillPeriodEndDay, '
              'BillPeriodEndHour), sends the rate-plan queue one SyncFromAPIToStaging '
              'message per provider, and truncates PondDeviceStatusICCIDsToProcess. The '
              'devices themselves are merged by UPDATE_POND_DEVICE_FROM_STAGING, whose '
              'caller is not in any fetched repo.'),
        sources=(
            Source(POND_STATUS, 'AltaworxPondProcessStagedDeviceStatus.cs', 76,
                   'CountRemainingDeviceStatusToProcess'),
            Source(POND_STATUS, 'AltaworxPondProcessStagedDeviceStatus.cs', 80,
                   'SyncStatusToPondDevice'),
            Source(POND_STATUS, 'AltaworxPondProcessStagedDeviceStatus.cs', 117,
                   'UpdateDeviceStatus'),
            Source(POND_STATUS, 'AltaworxPondProcessStagedDeviceStatus.cs', 85,
                   'TruncatePondDeviceStatusICCIDsToProcessTable'),
            Source(POND_STATUS, 'PondRepository.cs', 238,
                   'UPDATE_POND_DEVICE_FROM_STAGING'),
        ),
    ),
}

# Outside the four repos (same author; fetched and checked). Not part of the brief's sources.
OUTSIDE_LEADS: dict[str, Fact] = {
    "jasper_rows_to_process_has_service_provider_id": Fact(
        text=("JasperDeviceUsageICCICDsToProcess has a ServiceProviderId column: Amop.Core's "
              "JasperUsageStagingRepository (used by "
              "QueueCarrierPlanOptimization.TruncateStagingTables on the Jasper DB) deletes "
              "it per provider."),
        sources=(
            Source("AltaworxJasperAWSEnqueueRatePlanChanges",
                   "JasperUsageStagingRepository.cs", 24,
                   ("DELETE FROM [dbo].[JasperDeviceUsageICCICDsToProcess] WHERE "
                    "ServiceProviderId = @serviceProviderId")),
        ),
    ),
    "jasper_staging_cleared_per_provider": Fact(
        text=("JasperDeviceStaging is cleared per provider (JasperDeviceStagingRepository, "
              "used by the device sync on page 1)."),
        sources=(
            Source("AltaworxJasperAWSEnqueueRatePlanChanges",
                   "JasperDeviceStagingRepository.cs", 24,
                   ("DELETE FROM [dbo].[JasperDeviceStaging] WHERE ServiceProviderId = "
                    "@serviceProviderId")),
        ),
    ),
    "telegence_rows_to_process_columns": Fact(
        text=("TelegenceDeviceDetailIdsToProcess has SubscriberNumber, ServiceProviderId, "
              "GroupNumber, IsDeleted."),
        sources=(
            Source("AltaworxTelegenceAWSGetDeviceDetails",
                   "AltaworxTelegenceAWSGetDeviceDetails.cs", 232,
                   ("SELECT TOP n [SubscriberNumber], [ServiceProviderId] ... WHERE "
                    "GroupNumber = .. AND [IsDeleted] = 0")),
            Source("AltaworxTelegenceAWSGetDeviceDetails",
                   "AltaworxTelegenceAWSGetDeviceDetails.cs", 153,
                   "SELECT MAX(GroupNumber) ... WHERE IsDeleted = 0"),
        ),
    ),
    "teal_integration_id_12": Fact(
        text=("A stored body of usp_Teal_Update_Device_From_Staging (kept in a Pond repo) "
              "declares @TealIntegrationId = 12 and @ActivatedStatusId = 59."),
        sources=(
            Source("pond-AltaworxPondProcessStagedDeviceStatus", "Stored Procedures.cs", 1,
                   "CREATE PROCEDURE [dbo].[usp_Teal_Update_Device_From_Staging]"),
            Source("pond-AltaworxPondProcessStagedDeviceStatus", "Stored Procedures.cs", 12,
                   "@ActivatedStatusId INT = 59"),
            Source("pond-AltaworxPondProcessStagedDeviceStatus", "Stored Procedures.cs", 14,
                   "@TealIntegrationId INT = 12"),
        ),
    ),
    'thingspace_usage_notifies_cleanup_doc': Fact(
        text=('(Doc quote, source file not public.) The ThingSpace USAGE Lambda '
              '(AltaworxThingSpaceAWSGetDeviceUsage.cs:520-540, quoted in '
              'ThingSpace_AWS_Lambda_Analysis.md) sends the cleanup notification to '
              'ThingSpaceDeviceNotificationQueueURL. It has a 5-minute delay and attributes '
              "RetryCount='0', IntegrationType=(int)ThingSpace, ServiceProviderId (all "
              'String). It reads ThingSpaceDeviceUsageICCICDsToProcess [ICCID], '
              '[ServiceProviderId], [BillingCycleEndDate] per provider and GroupNumber.'),
        sources=(
            Source(THINGSPACE, 'ThingSpace_AWS_Lambda_Analysis.md', 160,
                   'quoted SELECT on ThingSpaceDeviceUsageICCICDsToProcess'),
            Source(THINGSPACE, 'ThingSpace_AWS_Lambda_Analysis.md', 411,
                   'DelaySeconds = 5 minutes'),
            Source(THINGSPACE, 'ThingSpace_AWS_Lambda_Analysis.md', 415,
                   '"RetryCount"'),
            Source(THINGSPACE, 'ThingSpace_AWS_Lambda_Analysis.md', 419,
                   '"IntegrationType"'),
            Source(THINGSPACE, 'ThingSpace_AWS_Lambda_Analysis.md', 420,
                   'IntegrationType.ThingSpace'),
            Source(THINGSPACE, 'ThingSpace_AWS_Lambda_Analysis.md', 428,
                   'QueueUrl = ThingSpaceDeviceNotificationQueueURL'),
        ),
    ),
    'thingspace_update_device_doc_paraphrase': Fact(
        text=('(Doc paraphrase of SQL the author had, not public.) '
              'usp_ThingSpace_Update_Device MERGEs the newest staging row per ICCID into '
              "ThingSpaceDevice. It inserts new devices and marks missing ones 'Unknown' "
              'except Inventory status. It propagates Unknown to ThingSpaceDeviceUsage and '
              "writes a ThingSpaceDeviceSyncAudit pivot with the Lambda's bill year/month. "
              'usp_ThingSpace_Update_DeviceDetail writes ThingSpaceDeviceDetailLastSyncDate, '
              'inserts or updates ThingSpaceDeviceDetail, and appends '
              'ThingSpaceDeviceDetail_History.'),
        sources=(
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices_DeepDive.md', 287,
                   'Behavior (from your SQL)'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices_DeepDive.md', 289,
                   'MERGE latest rows (per ICCID)'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices_DeepDive.md', 290,
                   'Unknown except Inventory'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices_DeepDive.md', 291,
                   'ThingSpaceDeviceUsage'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices_DeepDive.md', 292,
                   'ThingSpaceDeviceSyncAudit'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices_DeepDive.md', 295,
                   'ThingSpaceDeviceDetailLastSyncDate'),
            Source(THINGSPACE, 'AltaworxThingSpaceAWSGetDevices_DeepDive.md', 298,
                   'ThingSpaceDeviceDetail_History'),
        ),
    ),
}
