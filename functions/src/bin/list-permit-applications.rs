functions::lambda_main!(list_permit_applications);
