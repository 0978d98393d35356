functions::lambda_main!(withdraw_permit_application);
