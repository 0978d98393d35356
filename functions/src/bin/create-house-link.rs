functions::lambda_main!(create_house_link);
