functions::lambda_main!(deactivate_sub_account);
