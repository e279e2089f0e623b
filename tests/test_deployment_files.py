"""The deployment files (docker-compose.yml, Dockerfile, .env.example) stay consistent with
each other and with config/settings.py. Plain file parsing: no database, no Docker."""
import ast
import re
import shlex
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
ENV_EXAMPLE = ROOT / ".env.example"
SETTINGS = ROOT / "config" / "settings.py"

APP_SERVICES = ["web", "worker", "beat"]
ALL_SERVICES = ["postgres", "redis", *APP_SERVICES]
LOCKS = [ROOT / "requirements" / "base.txt", ROOT / "requirements" / "test.txt"]
WEASYPRINT_PACKAGES = ["libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0"]
COMPOSE_ONLY_MARKER = "Read by docker-compose.yml only"


# --- helpers ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose():
    data = yaml.safe_load(COMPOSE.read_text())  # resolves the `<<: *app` merge keys
    assert isinstance(data, dict) and isinstance(data.get("services"), dict), "no services in docker-compose.yml"
    return data


def command_text(value) -> str:
    """A compose command or healthcheck test, list or string form, as one string."""
    if isinstance(value, list):
        return " ".join(str(part) for part in value)
    return str(value or "")


def named_volumes(service: dict) -> list[str]:
    """Names of the named volumes a service mounts (bind mounts and tmpfs excluded)."""
    names = []
    for entry in service.get("volumes", []):
        if isinstance(entry, dict):
            if entry.get("type", "volume") == "volume" and entry.get("source"):
                names.append(entry["source"])
            continue
        source = str(entry).split(":")[0]
        if ":" in str(entry) and not source.startswith(("/", ".", "~", "$")):
            names.append(source)
    return names


def settings_env_names() -> set[str]:
    """Variables config/settings.py reads: env("X"), env.<cast>("X"), os.environ["X"], os.getenv("X")."""
    names = set()
    for node in ast.walk(ast.parse(SETTINGS.read_text())):
        if isinstance(node, ast.Subscript):  # os.environ["X"]
            if ast.unparse(node.value) == "os.environ" and isinstance(node.slice, ast.Constant):
                names.add(node.slice.value)
            continue
        if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
            continue
        func = ast.unparse(node.func)
        if func == "env" or (func.startswith("env.") and func.count(".") == 1) or func in {
            "os.getenv",
            "os.environ.get",
        }:
            if isinstance(node.args[0].value, str):
                names.add(node.args[0].value)
    return names


def env_example_sections() -> tuple[set[str], set[str]]:
    """Variables in .env.example, active (`NAME=`) or shown commented out (`# NAME=`),
    split into the settings part and the docker-compose-only part."""
    text = ENV_EXAMPLE.read_text()
    assert COMPOSE_ONLY_MARKER in text, f".env.example lost its '{COMPOSE_ONLY_MARKER}' section"
    settings_part, compose_part = text.split(COMPOSE_ONLY_MARKER, 1)
    pattern = re.compile(r"^#?\s?([A-Z][A-Z0-9_]*)=", re.MULTILINE)
    settings_names = pattern.findall(settings_part)
    compose_names = pattern.findall(compose_part)
    duplicates = {name for name in settings_names + compose_names if (settings_names + compose_names).count(name) > 1}
    assert not duplicates, f".env.example lists these more than once: {sorted(duplicates)}"
    return set(settings_names), set(compose_names)


def compose_interpolated_names() -> set[str]:
    """${NAME...} variables docker compose substitutes ($$ is an escaped, literal dollar)."""
    text = COMPOSE.read_text().replace("$$", "")
    return set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", text)) | set(re.findall(r"\$([A-Za-z_][A-Za-z0-9_]*)", text))


def dockerfile_instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, with backslash continuations joined and comments dropped."""
    lines = [line for line in DOCKERFILE.read_text().splitlines() if not line.lstrip().startswith("#")]
    joined = re.sub(r"\\\n", " ", "\n".join(lines))
    instructions = []
    for line in joined.splitlines():
        if line.strip():
            keyword, _, rest = line.strip().partition(" ")
            instructions.append((keyword.upper(), rest.strip()))
    return instructions


# --- docker-compose.yml -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL_SERVICES)
def test_service_exists_with_a_healthcheck(compose, name):
    service = compose["services"].get(name)
    assert isinstance(service, dict), f"service {name!r} missing from docker-compose.yml"
    healthcheck = service.get("healthcheck")
    assert isinstance(healthcheck, dict) and not healthcheck.get("disable"), f"{name} has no healthcheck"
    test = healthcheck.get("test")
    assert test and command_text(test).strip() not in {"", "NONE"}, f"{name}'s healthcheck has no test"
    if isinstance(test, list):
        assert test[0] in {"CMD", "CMD-SHELL"} and len(test) > 1, f"{name}: healthcheck test must start with CMD or CMD-SHELL"


@pytest.mark.parametrize("name", ALL_SERVICES)
def test_service_restarts(compose, name):
    assert compose["services"][name].get("restart") == "unless-stopped"


def test_database_and_broker_images_and_checks(compose):
    postgres, redis = compose["services"]["postgres"], compose["services"]["redis"]
    assert str(postgres.get("image", "")).startswith("postgres:15")
    assert "pg_isready" in command_text(postgres["healthcheck"]["test"])
    assert str(redis.get("image", "")).startswith("redis:7")
    assert "redis-cli" in command_text(redis["healthcheck"]["test"])
    assert "ping" in command_text(redis["healthcheck"]["test"])
    assert "--appendonly yes" in command_text(redis.get("command")), "redis must persist with appendonly"


def test_one_shot_migrate_runs_before_web_worker_and_beat(compose):
    migrate = compose["services"]["migrate"]
    assert command_text(migrate["command"]) == "python manage.py migrate --noinput"
    assert migrate.get("restart") == "no", "a finished migration must not be restarted"
    assert migrate["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    for name in APP_SERVICES:
        assert compose["services"][name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert "migrate" not in command_text(compose["services"][name].get("command")), f"{name} must not migrate"


def test_web_runs_gunicorn_with_its_config(compose):
    command = command_text(compose["services"]["web"].get("command"))
    assert command == "gunicorn -c config/gunicorn.py config.wsgi:application", command
    assert "healthz" in command_text(compose["services"]["web"]["healthcheck"]["test"])
    assert set(compose["services"]["web"]["environment"]) >= {"DATABASE_URL", "REDIS_URL", "WEB_CONCURRENCY",
                                                              "WEB_THREADS"}


def test_gunicorn_has_an_explicit_timeout_and_a_threaded_worker(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "2")
    monkeypatch.setenv("WEB_THREADS", "6")
    config = {}
    exec((ROOT / "config" / "gunicorn.py").read_text(), config)
    assert config["bind"] == "0.0.0.0:8000" and config["worker_class"] == "gthread"
    assert (config["workers"], config["threads"]) == (2, 6)
    assert 30 <= config["timeout"] <= 120 and config["graceful_timeout"] <= config["timeout"]


def test_worker_runs_celery_worker(compose):
    command = command_text(compose["services"]["worker"].get("command"))
    assert re.search(r"\bcelery -A config worker\b", command), command


def test_beat_runs_celery_beat_with_a_persistent_schedule(compose):
    beat = compose["services"]["beat"]
    command = command_text(beat.get("command"))
    assert re.search(r"\bcelery -A config beat\b", command), command
    schedule = re.search(r"(?:--schedule[= ]|-s )(\S+)", command)
    assert schedule, "beat needs --schedule pointing into a volume"
    mounts = [str(entry).split(":")[1] for entry in beat.get("volumes", []) if ":" in str(entry)]
    assert any(schedule.group(1).startswith(target.rstrip("/") + "/") for target in mounts), (
        f"beat's schedule {schedule.group(1)} is not on a volume ({mounts})"
    )


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_wait_for_healthy_postgres_and_redis(compose, name):
    depends_on = compose["services"][name].get("depends_on")
    assert isinstance(depends_on, dict), f"{name}: depends_on must be a mapping with conditions"
    for dependency in ("postgres", "redis"):
        condition = (depends_on.get(dependency) or {}).get("condition")
        assert condition == "service_healthy", f"{name} must wait for {dependency} to be healthy (got {condition!r})"


@pytest.mark.parametrize("name", APP_SERVICES)
def test_app_services_get_the_shared_environment(compose, name):
    service = compose["services"][name]
    environment = service.get("environment") or {}
    assert service.get("env_file") or environment, f"{name} gets no environment"
    assert "DATABASE_URL" in environment and "REDIS_URL" in environment, f"{name} lacks DATABASE_URL/REDIS_URL"
    assert "@postgres:" in environment["DATABASE_URL"] and "//redis:" in environment["REDIS_URL"]


def test_named_volumes_are_declared(compose):
    declared = set((compose.get("volumes") or {}).keys())
    used = {volume for service in compose["services"].values() for volume in named_volumes(service)}
    assert used, "no named volumes used at all"
    assert used <= declared, f"volumes used but not declared: {sorted(used - declared)}"


def test_data_lives_on_volumes(compose):
    services = compose["services"]
    assert any(v.split(":")[1] == "/var/lib/postgresql/data" for v in map(str, services["postgres"].get("volumes", [])))
    assert any(v.split(":")[1] == "/data" for v in map(str, services["redis"].get("volumes", [])))


def test_web_and_worker_share_the_media_volume_at_media_root(compose):
    services = compose["services"]
    mounts = {
        name: {str(v).split(":")[0]: str(v).split(":")[1] for v in services[name].get("volumes", []) if ":" in str(v)}
        for name in ("web", "worker")
    }
    media_root = services["worker"]["environment"].get("MEDIA_ROOT")
    assert media_root, "MEDIA_ROOT must be set for the app services, matching the media volume"
    shared = {
        volume for volume, target in mounts["web"].items() if target == media_root and mounts["worker"].get(volume) == target
    }
    assert shared, f"web and worker must mount one named volume at MEDIA_ROOT={media_root}: {mounts}"


# --- Dockerfile ---------------------------------------------------------------------------------


def test_dockerfile_installs_weasyprint_libraries():
    installed = set()
    for keyword, arguments in dockerfile_instructions():
        if keyword == "RUN" and "apt-get install" in arguments:
            installed.update(shlex.split(arguments.replace("&&", " ")))
    missing = [package for package in [*WEASYPRINT_PACKAGES, "fonts-dejavu-core"] if package not in installed]
    assert not missing, f"Dockerfile does not apt-get install {missing}"


def test_dockerfile_base_user_static_and_command():
    instructions = dockerfile_instructions()
    froms = [arguments for keyword, arguments in instructions if keyword == "FROM"]
    assert froms and froms[-1].split()[0] == "python:3.11-slim-bookworm", froms
    users = [arguments for keyword, arguments in instructions if keyword == "USER"]
    assert users and users[-1] not in {"root", "0", "0:0"}, "the image must end as a non-root USER"
    runs = " ".join(arguments for keyword, arguments in instructions if keyword == "RUN")
    assert "pip install --require-hashes -r /tmp/requirements.txt" in runs
    assert "requirements/base.txt /tmp/requirements.txt" in [arguments for keyword, arguments in instructions
                                                                  if keyword == "COPY"]
    assert "collectstatic" in runs and "SECRET_KEY=" in runs
    cmd = [arguments for keyword, arguments in instructions if keyword == "CMD"]
    assert cmd and cmd[-1] == '["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]', cmd


def test_the_locks_pin_every_package_with_hashes_and_hold_what_pyproject_asks():
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    for lock, wanted in zip(LOCKS, (project["dependencies"], project["dependencies"] + project["optional-dependencies"]["test"]),
                            strict=True):
        text = lock.read_text()
        pins = re.findall(r"^([A-Za-z0-9_.-]+)==\S+ \\$", text, re.M)
        assert pins and len(pins) == text.count("==") == len(re.findall(r"^[A-Za-z0-9_.-]+==", text, re.M))
        assert all(block.count("--hash=sha256:") for block in re.split(r"\n(?=[A-Za-z0-9_.-]+==)", text)[1:])
        names = {pin.lower().replace("_", "-") for pin in pins}
        for requirement in wanted:
            name = re.split(r"[<>=\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")
            assert name in names, f"{name} is in pyproject.toml but not in {lock.name}: run make lock"
        assert "file:///" not in text and "--find-links" not in text


def test_dockerignore_keeps_local_state_out():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()}
    expected = {".venv", ".git", "media", "staticfiles", "node_modules", "db.sqlite3", ".test-artifacts", ".env"}
    assert expected <= ignored, f"missing from .dockerignore: {sorted(expected - ignored)}"


# --- .env.example -------------------------------------------------------------------------------


def test_settings_reader_finds_variables():
    names = settings_env_names()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EMAIL_URL", "DEBUG"} <= names, names


def test_env_example_documents_exactly_what_settings_reads():
    documented, _compose_only = env_example_sections()
    read = settings_env_names()
    assert not documented - read, f".env.example lists variables settings.py does not read: {sorted(documented - read)}"
    assert not read - documented, f"settings.py reads variables .env.example does not document: {sorted(read - documented)}"


def test_env_example_compose_section_matches_docker_compose():
    _documented, compose_only = env_example_sections()
    interpolated = compose_interpolated_names()
    read = settings_env_names()
    assert not compose_only & read, f"these belong in the settings part of .env.example: {sorted(compose_only & read)}"
    assert not compose_only - interpolated, (
        f".env.example lists compose variables docker-compose.yml does not use: {sorted(compose_only - interpolated)}"
    )
    assert not interpolated - compose_only, (
        f"docker-compose.yml uses variables .env.example does not document: {sorted(interpolated - compose_only)}"
    )
