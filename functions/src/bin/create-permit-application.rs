functions::lambda_main!(create_permit_application);
