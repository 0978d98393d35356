functions::lambda_main!(list_my_houses);
