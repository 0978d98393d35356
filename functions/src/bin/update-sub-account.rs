functions::lambda_main!(update_sub_account);
