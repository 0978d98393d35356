functions::lambda_main!(list_residents);
