variable "tokens" {
  type = string
}

resource "aws_instance" "app" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"

  metadata_options {
    http_tokens = "required"
  }
}

resource "aws_instance" "no_metadata" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "t3.micro"

  metadata_options {
    http_endpoint = "disabled"
  }
}

resource "aws_launch_template" "from_variable" {
  image_id = "ami-0123456789abcdef0"

  metadata_options {
    http_tokens = var.tokens
  }
}
