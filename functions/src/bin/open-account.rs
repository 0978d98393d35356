functions::lambda_main!(open_account);
