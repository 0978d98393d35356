functions::lambda_main!(check_receipt);
