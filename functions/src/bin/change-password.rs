functions::lambda_main!(change_password);
