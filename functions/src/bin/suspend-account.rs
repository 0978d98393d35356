functions::lambda_main!(suspend_account);
