functions::lambda_main!(get_me);
