package definition

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

func now() metav1.Time { return metav1.Now() }
