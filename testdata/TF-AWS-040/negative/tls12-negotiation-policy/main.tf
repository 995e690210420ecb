variable "security_policy" {
  type = string
}

resource "aws_load_balancer_policy" "predefined" {
  load_balancer_name = aws_elb.web.name
  policy_name        = "web-ssl"
  policy_type_name   = "SSLNegotiationPolicyType"

  policy_attribute {
    name  = "Reference-Security-Policy"
    value = "ELBSecurityPolicy-TLS-1-2-2017-01"
  }
}

resource "aws_load_balancer_policy" "custom" {
  load_balancer_name = aws_elb.web.name
  policy_name        = "web-ssl-custom"
  policy_type_name   = "SSLNegotiationPolicyType"

  policy_attribute {
    name  = "Protocol-TLSv1.1"
    value = "false"
  }

  policy_attribute {
    name  = "Protocol-TLSv1.2"
    value = "true"
  }
}

resource "aws_load_balancer_policy" "chosen" {
  load_balancer_name = aws_elb.web.name
  policy_name        = "web-ssl-chosen"
  policy_type_name   = "SSLNegotiationPolicyType"

  policy_attribute {
    name  = "Reference-Security-Policy"
    value = var.security_policy
  }
}

# Not a negotiation policy.
resource "aws_load_balancer_policy" "proxy" {
  load_balancer_name = aws_elb.web.name
  policy_name        = "proxy-protocol"
  policy_type_name   = "ProxyProtocolPolicyType"

  policy_attribute {
    name  = "ProxyProtocol"
    value = "true"
  }
}
