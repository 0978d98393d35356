functions::lambda_main!(search_buildings);
