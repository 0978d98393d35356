functions::lambda_main!(list_sub_accounts);
