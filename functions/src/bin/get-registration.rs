functions::lambda_main!(get_registration);
