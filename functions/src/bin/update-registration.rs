functions::lambda_main!(update_registration);
