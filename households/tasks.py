"""Thin tasks for the families' long work; each runs one job (portal/jobs.py) by its primary key."""
from celery import shared_task

from portal import jobs

from . import codes, import_jobs, survey

RETRY = {"autoretry_for": jobs.TRANSIENT, "retry_backoff": True, "retry_kwargs": {"max_retries": 5}, "acks_late": True}


@shared_task(bind=True, **RETRY)
def make_survey_letters(self, job_id: int) -> str:
    return jobs.run_job(self, job_id, survey.letters_make)


@shared_task(bind=True, **RETRY)
def make_code_letters(self, job_id: int) -> str:
    return jobs.run_job(self, job_id, codes.letters_make)


@shared_task(bind=True, **RETRY)
def import_internet_codes(self, job_id: int) -> str:
    return jobs.run_job(self, job_id, import_jobs.codes_work)


@shared_task(bind=True, **RETRY)
def import_activations(self, job_id: int) -> str:
    return jobs.run_job(self, job_id, import_jobs.activations_work)


@shared_task(bind=True, **RETRY)
def import_roster(self, job_id: int) -> str:
    return jobs.run_job(self, job_id, import_jobs.roster_work)
