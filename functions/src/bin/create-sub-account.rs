functions::lambda_main!(create_sub_account);
