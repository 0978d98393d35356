functions::lambda_main!(create_account);
