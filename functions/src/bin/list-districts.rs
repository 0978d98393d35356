functions::lambda_main!(list_districts);
