functions::lambda_main!(decide_house_link);
