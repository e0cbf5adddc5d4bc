import traceback

from odoo import fields


def run_jobs(backend, limit=50):
    """Run ``backend``'s due jobs as the runner does (handler, then outcome), each in a savepoint
    of the test's transaction; stops when the backend is paused, as the runner's claim does."""
    Job = backend.env["connector.sync.job"]
    ran = Job
    for _attempt in range(limit):
        backend.env.flush_all()
        backend.invalidate_recordset(["paused"])
        if backend.paused:
            break
        job = Job.search(
            [
                *backend._job_domain(),
                ("state", "=", "pending"),
                ("next_attempt_at", "<=", fields.Datetime.now()),
            ],
            order="priority, next_attempt_at, id",
            limit=1,
        )
        if not job:
            break
        job.write({"state": "running", "attempts": job.attempts + 1})
        try:
            with backend.env.cr.savepoint():
                result = job._call_handler(job.method_name, job.backend_model, job.backend_id, False)
            job._mark_done(result or {}, 0.0)
        except Exception as error:  # noqa: BLE001 - lands on the job, as in the runner
            job._mark_failed(error, traceback.format_exc(), 0.0)
        ran |= job
    backend.env.invalidate_all()
    return ran
