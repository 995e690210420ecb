resource "aws_launch_configuration" "app" {
  image_id      = "ami-0123456789abcdef0"
  instance_type = "t3.micro"
  user_data     = "aws configure set aws_access_key_id AKIAIOSFODNN7REALKEY"
}
