resource "aws_launch_configuration" "web" {
  name_prefix                 = "web-"
  image_id                    = data.aws_ami.al2023.id
  instance_type               = "t3.micro"
  associate_public_ip_address = true
}
