resource "aws_elb" "web" {
  name               = "web"
  availability_zones = ["eu-west-1a"]

  listener {
    instance_port      = 8443
    instance_protocol  = "https"
    lb_port            = 443
    lb_protocol        = "https"
    ssl_certificate_id = aws_iam_server_certificate.web.arn
  }
}

resource "aws_load_balancer_policy" "predefined" {
  load_balancer_name = aws_elb.web.name
  policy_name        = "web-ssl"
  policy_type_name   = "SSLNegotiationPolicyType"

  policy_attribute {
    name  = "Reference-Security-Policy"
    value = "ELBSecurityPolicy-TLS-1-1-2017-01"
  }
}

resource "aws_load_balancer_policy" "custom" {
  load_balancer_name = aws_elb.web.name
  policy_name        = "web-ssl-custom"
  policy_type_name   = "SSLNegotiationPolicyType"

  policy_attribute {
    name  = "Protocol-TLSv1"
    value = "true"
  }

  policy_attribute {
    name  = "Protocol-TLSv1.2"
    value = "true"
  }

  policy_attribute {
    name  = "ECDHE-RSA-AES128-GCM-SHA256"
    value = "true"
  }
}

resource "aws_load_balancer_listener_policy" "web" {
  load_balancer_name = aws_elb.web.name
  load_balancer_port = 443
  policy_names       = [aws_load_balancer_policy.predefined.policy_name]
}
