functions::lambda_main!(get_my_permit);
