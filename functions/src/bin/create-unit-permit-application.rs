functions::lambda_main!(create_unit_permit_application);
