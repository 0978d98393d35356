functions::lambda_main!(decide_permit_application);
