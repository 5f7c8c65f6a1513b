"""The economy report (DEL question 2): days x tariff by unit, section and municipality."""
