functions::lambda_main!(record_permit_progress);
