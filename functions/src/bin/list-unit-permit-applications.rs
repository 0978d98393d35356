functions::lambda_main!(list_unit_permit_applications);
