functions::lambda_main!(change_phone);
