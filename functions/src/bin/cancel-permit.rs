functions::lambda_main!(cancel_permit);
