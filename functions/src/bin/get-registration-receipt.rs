functions::lambda_main!(get_registration_receipt);
