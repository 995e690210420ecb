resource "aws_lambda_function" "api" {
  function_name = "api"
  role          = "arn:aws:iam::111122223333:role/api"
  runtime       = "python3.12"
  handler       = "app.handler"
  filename      = "api.zip"

  environment {
    variables = {
      LOG_LEVEL     = "info"
      DB_PASSWORD   = "hunter2-prod"
      DEPLOY_KEY_ID = "AKIAIOSFODNN7EXAMPLE"
    }
  }
}
