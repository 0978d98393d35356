functions::lambda_main!(check_permit);
