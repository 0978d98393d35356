functions::job_main!(run_permit_milestones);
